"""Users (§2.1) and their audit log (§3). Nothing here knows about keys, repositories or webhooks."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models


class User(AbstractUser):
    """A developer account; shown as ``~username`` (sourcehut's canonical name)."""

    url = models.URLField(blank=True, default="", max_length=500)
    location = models.CharField(blank=True, default="", max_length=256)
    bio = models.TextField(blank=True, default="", max_length=4096)

    @property
    def canonical_name(self) -> str:
        return f"~{self.username}"


class AuditLogEntry(models.Model):
    """One line of a user's audit log: every change, and every use of a credential (§3)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="audit_log")
    ip = models.GenericIPAddressField(null=True, blank=True)
    action = models.CharField(max_length=64)
    details = models.TextField(blank=True, default="")
    created = models.DateTimeField(auto_now_add=True, db_index=False)

    class Meta:
        verbose_name_plural = "audit log entries"
        indexes = [models.Index(fields=["user", "-id"], name="audit_user_id_desc")]

    def __str__(self) -> str:
        return f"{self.action} by user {self.user_id}"
