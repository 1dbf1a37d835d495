"""API keys (§2.2): the secret is never stored, only a short public identifier and a keyed hash.

OAuth 2.0 applications, grants and tokens are django-oauth-toolkit's models (``oauth2_provider``);
:class:`OAuthClient` adds the scopes an application may ask for.
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
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_keys")
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(max_length=128)
    identifier = models.CharField(max_length=16, unique=True, editable=False)
    secret_hash = models.CharField(max_length=64, editable=False)  # HMAC-SHA256 hex of the secret part
    scopes = ArrayField(models.CharField(max_length=32), default=list)
    expires = models.DateTimeField(null=True, blank=True)
    created = models.DateTimeField(auto_now_add=True)
    last_used = models.DateTimeField(null=True, blank=True, editable=False)

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
