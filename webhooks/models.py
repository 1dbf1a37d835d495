"""The event outbox: one row per change, written in the change's own transaction (§4.5)."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Event(models.Model):
    """Something that happened to a user's resources, e.g. ``repo:create`` with the repo as payload.

    The webhooks issue fans each event out to one delivery per matching subscription.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="events")
    name = models.CharField(max_length=64)
    payload = models.JSONField()
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["user", "-id"], name="event_user_id_desc")]

    def __str__(self) -> str:
        return f"{self.name} for user {self.user_id}"
