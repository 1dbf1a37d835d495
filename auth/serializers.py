"""API key representations (§2.2). The secret appears only in the creation response."""

from __future__ import annotations

from rest_framework import serializers

from auth.models import ApiKey
from auth.scopes import KEY_SCOPES, ScopeError, parse_scopes
from core.errors import one_of
from core.parsers import StringField


class ApiKeySerializer(serializers.ModelSerializer):
    """``{id, name, identifier, scopes, expires, created, last_used}``."""

    class Meta:
        model = ApiKey
        fields = ["id", "name", "identifier", "scopes", "expires", "created", "last_used"]
        read_only_fields = fields


class ApiKeyCreateSerializer(serializers.Serializer):
    name = StringField(max_length=128)
    scopes = serializers.ListField(
        child=serializers.ChoiceField(choices=KEY_SCOPES, error_messages=one_of("scopes", KEY_SCOPES)),
        allow_empty=False,
        help_text='e.g. ["repos:read"]',
    )
    expires = serializers.DateTimeField(required=False, allow_null=True)

    def validate_scopes(self, value: list[str]) -> list[str]:
        try:
            return sorted(parse_scopes(value))
        except ScopeError as exc:
            raise serializers.ValidationError(str(exc)) from exc

    def validate_expires(self, value):
        from django.utils import timezone

        if value is not None and value <= timezone.now():
            raise serializers.ValidationError("expires must be in the future")
        return value


class ApiKeyCreatedSerializer(ApiKeySerializer):
    """The 201 of a key's creation: the key's fields plus ``key``, the secret, this once."""

    key = serializers.CharField(help_text="The API key itself. Shown only in this response.")

    class Meta(ApiKeySerializer.Meta):
        fields = [*ApiKeySerializer.Meta.fields, "key"]
        read_only_fields = fields


class AuthenticateSerializer(serializers.Serializer):
    apiKey = serializers.CharField(
        required=False, help_text="The API key (or pass ?apiKey=; the body keeps it out of access logs)."
    )  # noqa: N815


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField(help_text="A JWT; send it as 'Authorization: Bearer <token>'.")
    expiresIn = serializers.IntegerField(help_text="Milliseconds until the token expires.")  # noqa: N815
