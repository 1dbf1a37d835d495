"""Users (§2.1) and their audit log (§3). Nothing here knows about keys, repositories or webhooks."""

from __future__ import annotations

from collections.abc import Iterator

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.crypto import salted_hmac

SESSION_HASH_SALT = "accounts.User.get_session_auth_hash"


class User(AbstractUser):
    """A developer account; shown as ``~username`` (sourcehut's canonical name).

    ``email_verified``: operators' users are (the default); a person who signs up is not until
    they follow the link mailed to them, and cannot sign in before. ``pending_email``: a new
    address waiting for its link; ``email`` changes only then. ``sessions_epoch`` is mixed into
    :meth:`get_session_auth_hash`: raising it signs out every session of the user ("sign out
    others" then hands the current one the new hash, ``update_session_auth_hash``).
    """

    url = models.URLField(blank=True, default="", max_length=500)
    location = models.CharField(blank=True, default="", max_length=256)
    bio = models.TextField(blank=True, default="", max_length=4096)
    email_verified = models.BooleanField(
        default=True, help_text="Whether the email address was confirmed; a self-registered user signs in only then."
    )
    pending_email = models.EmailField(blank=True, default="", help_text="A new address waiting for its confirmation.")
    sessions_epoch = models.PositiveIntegerField(default=0, editable=False)

    @property
    def canonical_name(self) -> str:
        return f"~{self.username}"

    def get_session_auth_hash(self) -> str:
        """Django's hash of the password, and the sessions epoch once it was raised (epoch 0 is
        Django's own hash, so sessions made before the epoch existed stay signed in)."""
        return super().get_session_auth_hash() if not self.sessions_epoch else self._epoch_hash(None)

    def get_session_auth_fallback_hash(self) -> Iterator[str]:
        """The same with each of ``SECRET_KEY_FALLBACKS`` (a rotated signing key keeps sessions)."""
        if not self.sessions_epoch:
            yield from super().get_session_auth_fallback_hash()
            return
        for secret in settings.SECRET_KEY_FALLBACKS:
            yield self._epoch_hash(secret)

    def _epoch_hash(self, secret: str | bytes | None) -> str:
        value = f"{self.password}:{self.sessions_epoch}"
        return salted_hmac(SESSION_HASH_SALT, value, secret=secret, algorithm="sha256").hexdigest()


class AuditLogEntry(models.Model):
    """One line of a user's audit log: every change, and every use of a credential (§3)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="audit_log", db_index=False
    )
    ip = models.GenericIPAddressField(null=True, blank=True)
    action = models.CharField(max_length=64)
    details = models.TextField(blank=True, default="")
    created = models.DateTimeField(auto_now_add=True, db_index=False)

    class Meta:
        verbose_name_plural = "audit log entries"
        indexes = [models.Index(fields=["user", "-id"], name="audit_user_id_desc")]

    def __str__(self) -> str:
        return f"{self.action} by user {self.user_id}"


class UserSession(models.Model):
    """A signed-in browser session, for the Security page's list and "sign out others".

    Written at sign-in (``user_logged_in``), removed at sign-out, by "sign out others" and by
    a password change or reset. ``key_hash`` is the SHA-256 of Django's session key (never the
    key: the row names a session without being able to act as it).
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="browser_sessions", db_index=False
    )
    key_hash = models.CharField(max_length=64, unique=True)
    created = models.DateTimeField(auto_now_add=True)
    last_seen = models.DateTimeField()
    ip = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True, default="")

    class Meta:
        indexes = [models.Index(fields=["user", "-id"], name="usersession_user_id_desc")]

    def __str__(self) -> str:
        return f"session of user {self.user_id} since {self.created:%Y-%m-%d %H:%M}"
