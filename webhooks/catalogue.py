"""The event catalogue (§4.1): each registered event, the scope needed to subscribe, its payload's JSON Schema.

Payload schemas are derived from the same serializers that render the resources (as
registered in :mod:`webhooks.events`), so the catalogue cannot drift from what is sent.
"""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from webhooks import events

REMOVED = {"type": "object", "required": ["id"], "properties": {"id": {"type": "integer"}}}


def field_schema(field: serializers.Field) -> dict[str, Any]:
    if isinstance(field, serializers.BaseSerializer):
        schema = serializer_schema(field)
    elif isinstance(field, serializers.DateTimeField):
        schema = {"type": "string", "format": "date-time"}
    elif isinstance(field, serializers.IntegerField):
        schema = {"type": "integer"}
    elif isinstance(field, serializers.BooleanField):
        schema = {"type": "boolean"}
    elif isinstance(field, serializers.ChoiceField):
        schema = {"type": "string", "enum": list(field.choices)}
    elif isinstance(field, serializers.ListField):
        schema = {"type": "array", "items": field_schema(field.child)}
    else:
        schema = {"type": "string"}
    if getattr(field, "allow_null", False):
        schema = {"anyOf": [schema, {"type": "null"}]}
    return schema


def serializer_schema(serializer: serializers.BaseSerializer) -> dict[str, Any]:
    fields = serializer.fields  # type: ignore[attr-defined]
    return {
        "type": "object",
        "required": list(fields),
        "properties": {name: field_schema(field) for name, field in fields.items()},
    }


def catalogue() -> list[dict[str, Any]]:
    entries = []
    for event in events.all_events():
        payload = REMOVED if event.serializer is None else serializer_schema(event.serializer())
        entries.append(
            {
                "event": event.name,
                "description": event.description,
                "scope": event.scope,
                # The body is the resource itself (sourcehut's rule); the event name and time
                # travel in the X-Webhook-Event and webhook-timestamp headers.
                "schema": {"$schema": "https://json-schema.org/draft/2020-12/schema", **payload},
            }
        )
    return entries
