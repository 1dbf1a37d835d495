"""Webhook subscriptions and deliveries (§4.1, §4.2)."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from core.fast import FastRead
from webhooks import events
from webhooks.conf import webhook_settings
from webhooks.ssrf import UnsafeURL, resolve


class SubscriptionSerializer(FastRead, serializers.Serializer):
    """``{id, created, events, url}``."""

    id = serializers.IntegerField()
    created = serializers.DateTimeField()
    events = serializers.ListField(child=serializers.CharField())
    url = serializers.CharField()


class ReplaySerializer(serializers.Serializer):
    since = serializers.DateTimeField(help_text="RFC 3339; failed deliveries created since then are sent again")


class ReplayedSerializer(serializers.Serializer):
    replayed = serializers.IntegerField(help_text="how many failed deliveries were queued again")


class SubscriptionCreateSerializer(serializers.Serializer):
    url = serializers.CharField(max_length=2048)
    events = serializers.ListField(child=serializers.CharField(), allow_empty=False)

    def validate_url(self, value: str) -> str:
        """Refuse now what delivery would refuse: the host is resolved and every address checked
        (``WEBHOOK_ALLOWED_NETWORKS`` honoured). Delivery checks again, as DNS can change."""
        try:
            resolve(value.strip(), webhook_settings().allowed_networks)
        except UnsafeURL as exc:
            raise serializers.ValidationError(str(exc)) from exc
        return value.strip()

    def validate_events(self, value: list[str]) -> list[str]:
        unknown = sorted(set(value) - set(events.names()))
        if unknown:
            raise serializers.ValidationError(
                f"unknown event(s): {', '.join(unknown)}; see GET /api/v1/webhooks/events"
            )
        return sorted(set(value))


class DeliverySerializer(FastRead, serializers.Serializer):
    """A delivery and its log; ``response_status`` -2 pending, -1 no HTTP answer, else the status."""

    id = serializers.UUIDField(source="uuid")
    created = serializers.DateTimeField()
    event = serializers.CharField(source="event_name")
    url = serializers.CharField()
    payload = serializers.SerializerMethodField()
    payload_headers = serializers.DictField(child=serializers.CharField())
    response = serializers.CharField()
    response_status = serializers.IntegerField()
    response_headers = serializers.DictField(child=serializers.CharField())
    attempts = serializers.IntegerField()
    next_attempt = serializers.DateTimeField(allow_null=True)

    def get_payload(self, obj: Any) -> str:
        """The exact JSON body sent (a string, byte for byte what was signed)."""
        return obj.body
