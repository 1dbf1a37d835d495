"""Account representations in sourcehut's shapes: a user's short form and audit log entries."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from core.fast import FastRead


class CanonicalNameField(serializers.CharField):
    """``~alice`` from the username: the same output for a User row and a ``.values()`` dict."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("source", "username")
        kwargs.setdefault("help_text", "~username")
        super().__init__(**kwargs)

    def to_representation(self, value: Any) -> str:
        return f"~{value}"


class UserShortSerializer(FastRead, serializers.Serializer):
    """``{canonical_name: "~alice", name: "alice"}``: a user embedded in another resource."""

    canonical_name = CanonicalNameField()
    name = serializers.CharField(source="username")


class AuditLogEntrySerializer(FastRead, serializers.Serializer):
    """``{id, ip, action, details, created}``."""

    id = serializers.IntegerField()
    ip = serializers.CharField(allow_null=True)
    action = serializers.CharField()
    details = serializers.CharField()
    created = serializers.DateTimeField()
