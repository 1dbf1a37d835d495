"""The project's own rows: the stored first answers of idempotent writes (§1.13)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class IdempotencyRecord(models.Model):
    """The first successful answer to a write that carried an ``Idempotency-Key``.

    Scoped to the credential's user. The key itself is not stored, only a keyed hash of it
    (``key_hash``), and the body is encrypted with a key derived from the client's key, so
    the table never holds the secret of a new API key in the clear. ``fingerprint`` is a
    hash of the method, path, query and body: the same key with another request is a 422.
    Rows older than the retention window (24 h) are ignored, replaced when the key is used
    again, and removed by :func:`idempotency.services.idempotency_prune`.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", db_index=False)
    key_hash = models.CharField(max_length=64)
    fingerprint = models.CharField(max_length=64)
    method = models.CharField(max_length=8)
    path = models.CharField(max_length=2048)
    status = models.PositiveSmallIntegerField()
    headers = models.JSONField(default=list)
    body = models.BinaryField()
    created = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "key_hash"], name="idempotency_user_key")]

    def __str__(self) -> str:
        return f"{self.method} {self.path} for user {self.user_id} ({self.status})"
