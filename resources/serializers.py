"""Resource representations in sourcehut's shapes (§3): one definition for schema and output.

Field rules live here, so a bad request hears about every bad field at once; rules that
need the database (uniqueness, "one of your keys") follow in the services.
"""

from __future__ import annotations

import re
from typing import Any

from rest_framework import serializers

from accounts.serializers import CanonicalNameField, UserShortSerializer
from core.errors import one_of
from core.fast import FastRead
from core.parsers import StringField
from resources.models import Repository

REPO_NAME = re.compile(r"^[A-Za-z0-9._-]+$")
RESERVED_REPO_NAMES = frozenset({".", "..", ".git"})
REPO_NAME_RULE = "name may contain only letters, digits, '.', '_' and '-', and is not '.', '..' or '.git'"


class UserPublicSerializer(FastRead, serializers.Serializer):
    """Another user's profile: public fields only (no e-mail)."""

    id = serializers.IntegerField()
    canonical_name = CanonicalNameField()
    name = serializers.CharField(source="username")
    url = serializers.CharField()
    location = serializers.CharField()
    bio = serializers.CharField()
    use_pgp_key = serializers.CharField(allow_null=True, help_text="fingerprint of the preferred PGP key, or null")


class UserSerializer(UserPublicSerializer):
    """The full form: ``{id, canonical_name, name, email, url, location, bio, use_pgp_key}``."""

    email = serializers.CharField()

    def get_fields(self) -> dict[str, serializers.Field]:
        fields = super().get_fields()
        order = ["id", "canonical_name", "name", "email", "url", "location", "bio", "use_pgp_key"]
        return {name: fields[name] for name in order}


class ProfileUpdateSerializer(serializers.Serializer):
    email = serializers.EmailField(required=False, max_length=254)  # the column's size
    url = serializers.URLField(required=False, allow_blank=True, max_length=500)
    location = StringField(required=False, allow_blank=True, max_length=256)
    bio = StringField(required=False, allow_blank=True, max_length=4096)
    use_pgp_key = StringField(
        required=False, allow_null=True, allow_blank=True, help_text="a fingerprint of one of your PGP keys, or null"
    )


class SSHKeySerializer(FastRead, serializers.Serializer):
    """An SSH public key of a user's, as sourcehut shows it."""

    id = serializers.IntegerField()
    authorized = serializers.DateTimeField()
    comment = serializers.CharField()
    fingerprint = serializers.CharField(help_text="MD5, colon-hex")
    fingerprint_sha256 = serializers.CharField()
    key = serializers.CharField()
    owner = UserShortSerializer()
    last_used = serializers.DateTimeField(allow_null=True, help_text="shown to the key's owner only")


class PGPKeySerializer(FastRead, serializers.Serializer):
    """A PGP public key of a user's, ASCII-armored, with its key id, fingerprint and e-mail."""

    id = serializers.IntegerField()
    key = serializers.CharField()
    key_id = serializers.CharField()
    fingerprint = serializers.CharField()
    email = serializers.CharField()
    authorized = serializers.DateTimeField()
    owner = UserShortSerializer()
    expiration = serializers.DateTimeField(allow_null=True)


class RepositorySerializer(FastRead, serializers.Serializer):
    """A repository (metadata only); `visibility` is `public`, `unlisted` or `private`."""

    id = serializers.IntegerField()
    created = serializers.DateTimeField()
    updated = serializers.DateTimeField()
    name = serializers.CharField()
    owner = UserShortSerializer()
    description = serializers.CharField()
    visibility = serializers.ChoiceField(choices=Repository.Visibility.choices)


VISIBILITY = one_of("visibility", Repository.Visibility.choices)


def repo_name_valid(value: str) -> str:
    if value and (not REPO_NAME.match(value) or value in RESERVED_REPO_NAMES):
        raise serializers.ValidationError(REPO_NAME_RULE)
    return value


class RepositoryCreateSerializer(serializers.Serializer):
    """``POST /repos``: ``name`` is required; ``visibility`` defaults to public."""

    name = StringField(max_length=256, error_messages={"required": "name is required", "blank": "name is required"})
    description = StringField(max_length=4096, required=False, allow_blank=True, default="")
    visibility = serializers.ChoiceField(
        choices=Repository.Visibility.choices,
        required=False,
        allow_blank=True,  # "" is the default too, as sourcehut's clients send it
        default=Repository.Visibility.PUBLIC,
        error_messages=VISIBILITY,
    )

    def validate_name(self, value: str) -> str:
        return repo_name_valid(value)


class RepositoryUpdateSerializer(serializers.Serializer):
    """``PUT /repos/:name``: any of the fields; ``""`` means unchanged (sourcehut's rule)."""

    name = StringField(max_length=256, required=False, allow_blank=True)
    description = StringField(max_length=4096, required=False, allow_blank=True)
    visibility = serializers.ChoiceField(
        choices=Repository.Visibility.choices, required=False, allow_blank=True, error_messages=VISIBILITY
    )

    def validate_name(self, value: str) -> str:
        return repo_name_valid(value)

    def changes(self) -> dict[str, Any]:
        return {key: value for key, value in self.validated_data.items() if value not in ("", None)}


class ReadmeSerializer(serializers.Serializer):
    readme = StringField(allow_blank=True, trim_whitespace=False, max_length=256 * 1024)
