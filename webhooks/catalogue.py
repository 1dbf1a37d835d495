"""The event catalogue (§4.1): each event, the scope needed to subscribe, its payload's JSON Schema.

Payload schemas are derived from the same serializers that render the resources, so the
catalogue cannot drift from what is sent.
"""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

REMOVED = {"type": "object", "required": ["id"], "properties": {"id": {"type": "integer"}}}

# event: (read scope needed to subscribe, serializer path or None for a removal, description)
EVENTS: dict[str, tuple[str, str | None, str]] = {
    "profile:update": ("profile:read", "resources.serializers.UserSerializer", "the profile changed; the full profile"),
    "ssh-key:add": ("keys:read", "resources.serializers.SSHKeySerializer", "an SSH key was added"),
    "ssh-key:remove": ("keys:read", None, "an SSH key was removed"),
    "pgp-key:add": ("keys:read", "resources.serializers.PGPKeySerializer", "a PGP key was added"),
    "pgp-key:remove": ("keys:read", None, "a PGP key was removed"),
    "repo:create": ("repos:read", "resources.serializers.RepositorySerializer", "a repository was created"),
    "repo:update": ("repos:read", "resources.serializers.RepositorySerializer", "a repository changed"),
    "repo:delete": ("repos:read", None, "a repository was deleted"),
}


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
    from django.utils.module_loading import import_string

    entries = []
    for name, (scope, serializer_path, description) in EVENTS.items():
        payload = REMOVED if serializer_path is None else serializer_schema(import_string(serializer_path)())
        entries.append(
            {
                "event": name,
                "description": description,
                "scope": scope,
                "schema": {
                    "$schema": "https://json-schema.org/draft/2020-12/schema",
                    "type": "object",
                    "required": ["event", "created", "payload"],
                    "properties": {
                        "event": {"const": name},
                        "created": {"type": "string", "format": "date-time"},
                        "payload": payload,
                    },
                },
            }
        )
    return entries
