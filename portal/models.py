"""Invitations to sign up (``ACCOUNT_REGISTRATION=invite``): single use, expiring, stored hashed."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Invite(models.Model):
    """One link to ``/signup?invite=<token>``. Only the token's SHA-256 is kept; the link is shown
    once, to whoever made it. Used once: ``used_by`` is the account made with it."""

    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    note = models.CharField(max_length=200, blank=True, default="", help_text="Who it is for (shown to you only).")
    created = models.DateTimeField(auto_now_add=True)
    expires = models.DateTimeField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="invites_made",
        editable=False, db_index=False,
    )  # fmt: skip
    used_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    used_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        indexes = [models.Index(fields=["created_by", "-id"], name="invite_creator_id_desc")]

    def __str__(self) -> str:
        return f"invite {self.pk}" + (f" for {self.note}" if self.note else "")
