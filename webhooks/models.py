"""The event outbox: one row per change, written in the change's own transaction (§4.5)."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.db import models


class Event(models.Model):
    """Something that happened to a user's resources, e.g. ``repo:create`` with the repo as payload.

    The webhooks issue fans each event out to one delivery per matching subscription.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="events", db_index=False)
    name = models.CharField(max_length=64)
    payload = models.JSONField()
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["user", "-id"], name="event_user_id_desc")]

    def __str__(self) -> str:
        return f"{self.name} for user {self.user_id}"


class Subscription(models.Model):
    """A user's webhook: ``url`` receives the ``events`` listed."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="webhooks", db_index=False
    )
    url = models.URLField(max_length=2048)
    events = ArrayField(models.CharField(max_length=64))
    created = models.DateTimeField(auto_now_add=True)
    enabled = models.BooleanField(default=True)
    disabled_reason = models.CharField(max_length=200, blank=True, default="")
    consecutive_failures = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [
            models.Index(fields=["user", "-id"], name="webhook_user_id_desc"),
            GinIndex(fields=["events"], name="webhook_events_gin"),
        ]

    def __str__(self) -> str:
        return f"{self.url} ({', '.join(self.events)})"


class Delivery(models.Model):
    """One event sent (or to be sent) to one subscription: the outbox row and its log.

    ``response_status``: -2 pending, -1 every attempt failed without an HTTP answer, else
    the last HTTP status. ``next_attempt`` is set while a send is due; ``leased_until``
    marks the worker sending it right now.
    """

    PENDING = -2
    NO_ANSWER = -1

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    subscription = models.ForeignKey(Subscription, on_delete=models.CASCADE, related_name="deliveries", db_index=False)
    event = models.ForeignKey(Event, null=True, blank=True, on_delete=models.SET_NULL, related_name="deliveries")
    event_name = models.CharField(max_length=64)
    url = models.URLField(max_length=2048)
    origin = models.CharField(
        max_length=300, help_text="scheme://host:port: in-flight caps and breakers are per origin."
    )
    body = models.TextField(help_text="The exact JSON body sent (and signed).")
    payload_headers = models.JSONField(default=dict, blank=True)
    response = models.TextField(blank=True, default="")
    response_status = models.IntegerField(default=PENDING)
    response_headers = models.JSONField(default=dict, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt = models.DateTimeField(null=True, blank=True)
    leased_until = models.DateTimeField(null=True, blank=True)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name_plural = "deliveries"
        indexes = [
            models.Index(fields=["subscription", "-id"], name="delivery_sub_id_desc"),
            models.Index(fields=["next_attempt"], name="delivery_due", condition=models.Q(next_attempt__isnull=False)),
        ]

    def __str__(self) -> str:
        return f"{self.event_name} -> {self.url} ({self.uuid})"

    @property
    def status(self) -> str:
        if self.next_attempt is not None:
            return "pending"
        return "delivered" if 200 <= self.response_status < 300 else "failed"


class DeliveryAttempt(models.Model):
    """The log of every attempt of a delivery."""

    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="attempt_log")
    created = models.DateTimeField(auto_now_add=True)
    response_status = models.IntegerField(null=True, blank=True)
    error = models.CharField(max_length=500, blank=True, default="")
    duration_ms = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.delivery_id}: {self.response_status or self.error}"
