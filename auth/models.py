"""API keys (§2.2): the secret is never stored, only a short public identifier and a keyed hash.

OAuth 2.0 applications, grants and tokens are django-oauth-toolkit's models (``oauth2_provider``);
:class:`OAuthClient` adds the scopes an application may ask for, :class:`OAuthRedeemedCode`
remembers the codes already exchanged (RFC 6749 §4.1.2).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils import timezone
from oauth2_provider.settings import oauth2_settings


class ApiKey(models.Model):
    """One of a user's API keys. The plaintext ``apisvc_<identifier>_<secret>`` is shown once.

    ``uuid`` names the key on Quay's app-token routes (``/api/v1/user/apptoken/:uuid``).
    ``oauth_application``: the key was created with an OAuth access token of that application
    (or with a key that was), so it dies with the user's grant of it (SPEC §2.8,
    :func:`auth.services.api_key_delete_minted`).
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_keys", db_index=False
    )
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(max_length=128)
    identifier = models.CharField(max_length=16, unique=True, editable=False)
    secret_hash = models.CharField(max_length=64, editable=False)  # HMAC-SHA256 hex of the secret part
    scopes = ArrayField(models.CharField(max_length=32), default=list)
    expires = models.DateTimeField(null=True, blank=True)
    created = models.DateTimeField(auto_now_add=True)
    last_used = models.DateTimeField(null=True, blank=True, editable=False)
    oauth_application = models.ForeignKey(
        oauth2_settings.APPLICATION_MODEL,
        null=True,
        blank=True,
        editable=False,
        on_delete=models.CASCADE,
        related_name="minted_api_keys",
        verbose_name="minted through OAuth application",
    )

    class Meta:
        verbose_name = "API key"
        indexes = [models.Index(fields=["user", "-id"], name="apikey_user_id_desc")]

    def __str__(self) -> str:
        return f"{self.name} ({self.identifier})"

    def is_expired(self, now=None) -> bool:
        return self.expires is not None and self.expires <= (now or timezone.now())


class OAuthClient(models.Model):
    """The scopes an OAuth application may request (django-oauth-toolkit's model has none)."""

    application = models.OneToOneField(
        oauth2_settings.APPLICATION_MODEL, on_delete=models.CASCADE, primary_key=True, related_name="api_client"
    )
    scopes = ArrayField(models.CharField(max_length=32), default=list)

    class Meta:
        verbose_name = "OAuth client scopes"

    def __str__(self) -> str:
        return " ".join(self.scopes)


class OAuthRedeemedCode(models.Model):
    """An authorization code already exchanged for tokens, kept to recognise its reuse.

    RFC 6749 §4.1.2: a code used twice is refused and the tokens issued from it are revoked.
    django-oauth-toolkit deletes the grant on its first use, so this row remembers what the
    code issued (its refresh token family) and its PKCE challenge, never the code itself
    (only its SHA-256). Rows older than ``API_AUTH["OAUTH_REDEEMED_CODE_SECONDS"]`` are
    deleted as new codes are redeemed (:func:`auth.oauth.services.oauth_code_redeem`).
    """

    code_checksum = models.CharField(max_length=64, primary_key=True)
    application = models.ForeignKey(oauth2_settings.APPLICATION_MODEL, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    token_family = models.UUIDField()
    code_challenge = models.CharField(max_length=128, blank=True)
    code_challenge_method = models.CharField(max_length=10, blank=True)
    redeemed = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = "redeemed OAuth code"

    def __str__(self) -> str:
        return f"code redeemed {self.redeemed:%Y-%m-%d %H:%M:%S} (family {self.token_family})"
