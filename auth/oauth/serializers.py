"""OAuth application representations. ``client_secret`` appears only in the creation response
(and in a rotation's).

A registration or change takes ``redirect_uris`` and ``scopes`` as lists or, Funkwhale's
shape, as one whitespace-separated string each::

    {"name": "CI", "redirect_uris": "https://a.example/cb https://b.example/cb", "scopes": "repos:read keys:read"}
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from rest_framework import serializers

from auth.oauth.services import CLIENT_TYPES, OOB_URI
from auth.scopes import ALL_SCOPES
from core.errors import one_of
from core.parsers import StringField


def validate_redirect_uri(value: str) -> None:
    """An absolute http(s) URI without a fragment, or the out-of-band URN."""
    if value == OOB_URI:
        return
    try:
        parts = urlsplit(value)
    except ValueError:  # an unclosed "[" of an IPv6 host, say
        parts = None
    if parts is None or parts.scheme not in ("http", "https") or not parts.netloc or parts.fragment or " " in value:
        raise serializers.ValidationError(f"{value!r} is not an absolute http(s) URI without a fragment, nor {OOB_URI}")


class WordsField(serializers.ListField):
    """A list of strings, or one string of whitespace-separated words (Funkwhale's shape).

    The OpenAPI document gives both (``oneOf``: auth/schema.py).
    """

    def to_internal_value(self, data: Any) -> list[Any]:
        return super().to_internal_value(data.split() if isinstance(data, str) else data)


class OAuthAppSerializer(serializers.Serializer):
    """``{client_id, name, client_type, redirect_uris, scopes, created, updated}``."""

    client_id = serializers.CharField(read_only=True)
    name = StringField(max_length=255)
    client_type = serializers.ChoiceField(
        choices=CLIENT_TYPES, default="confidential", error_messages=one_of("client_type", CLIENT_TYPES)
    )
    redirect_uris = serializers.ListField(
        child=serializers.CharField(max_length=2000, validators=[validate_redirect_uri]),
        allow_empty=False,
        max_length=20,
        help_text=f'e.g. ["https://app.example/callback"] or ["{OOB_URI}"]',
    )
    scopes = serializers.ListField(
        child=serializers.ChoiceField(choices=list(ALL_SCOPES), error_messages=one_of("scopes", ALL_SCOPES)),
        allow_empty=False,
        help_text='The scopes the application may request, e.g. ["repos:read"]',
    )
    created = serializers.DateTimeField(read_only=True)
    updated = serializers.DateTimeField(read_only=True)

    def to_representation(self, instance: Any) -> dict[str, Any]:
        client = getattr(instance, "api_client", None)
        return {
            "client_id": instance.client_id,
            "name": instance.name,
            "client_type": instance.client_type,
            "redirect_uris": instance.redirect_uris.split(),
            "scopes": list(client.scopes) if client is not None else [],
            "created": serializers.DateTimeField().to_representation(instance.created),
            "updated": serializers.DateTimeField().to_representation(instance.updated),
        }


class OAuthAppCreateSerializer(OAuthAppSerializer):
    """An application to register: `redirect_uris` and `scopes` as lists, or as whitespace-separated strings."""

    redirect_uris = WordsField(
        child=serializers.CharField(max_length=2000, validators=[validate_redirect_uri]),
        allow_empty=False,
        max_length=20,
        help_text=f'e.g. ["https://app.example/callback"], ["{OOB_URI}"] or "https://a.example/cb https://b.example/cb"',
    )
    scopes = WordsField(
        child=serializers.ChoiceField(choices=list(ALL_SCOPES)),
        allow_empty=False,
        help_text='The scopes the application may request, e.g. ["repos:read"] or "repos:read keys:read"',
    )


class OAuthAppUpdateSerializer(OAuthAppCreateSerializer):
    client_type = serializers.ChoiceField(choices=CLIENT_TYPES, read_only=True)


class OAuthAppCreatedSerializer(OAuthAppSerializer):
    """The 201 (and a rotation's 200): the application plus, for a confidential client, ``client_secret`` this once."""

    client_secret = serializers.CharField(
        read_only=True,
        allow_null=True,
        help_text="Shown only in this response (stored hashed); null for public clients.",
    )
