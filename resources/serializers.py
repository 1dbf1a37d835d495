"""Resource representations in sourcehut's shapes (§3): one definition for schema and output."""

from __future__ import annotations

from rest_framework import serializers

from apiservice.api.fast import FastRead
from resources.models import Repository


class UserShortSerializer(FastRead, serializers.Serializer):
    """``{canonical_name: "~alice", name: "alice"}``: a user embedded in another resource."""

    canonical_name = serializers.CharField()
    name = serializers.CharField(source="username")


class UserPublicSerializer(FastRead, serializers.Serializer):
    """Another user's profile: public fields only (no e-mail)."""

    id = serializers.IntegerField()
    canonical_name = serializers.CharField()
    name = serializers.CharField(source="username")
    url = serializers.CharField()
    location = serializers.CharField()
    bio = serializers.CharField()
    use_pgp_key = serializers.CharField(
        source="use_pgp_key.fingerprint", allow_null=True, help_text="fingerprint or null"
    )

    def compile_plan(self):  # use_pgp_key may be null: the attrgetter would raise
        plan = super().compile_plan()
        return [
            (name, (lambda obj: obj.use_pgp_key.fingerprint if obj.use_pgp_key_id else None), conv)
            if name == "use_pgp_key"
            else (name, getter, conv)
            for name, getter, conv in plan
        ]


class UserSerializer(UserPublicSerializer):
    """The full form: ``{id, canonical_name, name, email, url, location, bio, use_pgp_key}``."""

    email = serializers.CharField()

    def get_fields(self):
        fields = super().get_fields()
        order = ["id", "canonical_name", "name", "email", "url", "location", "bio", "use_pgp_key"]
        return {name: fields[name] for name in order}


class ProfileUpdateSerializer(serializers.Serializer):
    email = serializers.EmailField(required=False)
    url = serializers.URLField(required=False, allow_blank=True, max_length=500)
    location = serializers.CharField(required=False, allow_blank=True, max_length=256)
    bio = serializers.CharField(required=False, allow_blank=True, max_length=4096)
    use_pgp_key = serializers.CharField(
        required=False, allow_null=True, allow_blank=True, help_text="a fingerprint of one of your PGP keys, or null"
    )


class SSHKeySerializer(FastRead, serializers.Serializer):
    id = serializers.IntegerField()
    authorized = serializers.DateTimeField()
    comment = serializers.CharField()
    fingerprint = serializers.CharField(help_text="MD5, colon-hex")
    fingerprint_sha256 = serializers.CharField()
    key = serializers.CharField()
    owner = UserShortSerializer()
    last_used = serializers.DateTimeField(allow_null=True, help_text="shown to the key's owner only")


class PGPKeySerializer(FastRead, serializers.Serializer):
    id = serializers.IntegerField()
    key = serializers.CharField()
    key_id = serializers.CharField()
    fingerprint = serializers.CharField()
    email = serializers.CharField()
    authorized = serializers.DateTimeField()
    owner = UserShortSerializer()
    expiration = serializers.DateTimeField(allow_null=True)


class AuditLogEntrySerializer(FastRead, serializers.Serializer):
    id = serializers.IntegerField()
    ip = serializers.CharField(allow_null=True)
    action = serializers.CharField()
    details = serializers.CharField()
    created = serializers.DateTimeField()


class RepositorySerializer(FastRead, serializers.Serializer):
    id = serializers.IntegerField()
    created = serializers.DateTimeField()
    updated = serializers.DateTimeField()
    name = serializers.CharField()
    owner = UserShortSerializer()
    description = serializers.CharField()
    visibility = serializers.ChoiceField(choices=Repository.Visibility.choices)


class RepositoryWriteSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=256, required=False, allow_blank=True)
    description = serializers.CharField(max_length=4096, required=False, allow_blank=True)
    visibility = serializers.ChoiceField(choices=Repository.Visibility.choices, required=False, allow_blank=True)


class ReadmeSerializer(serializers.Serializer):
    readme = serializers.CharField(allow_blank=True, trim_whitespace=False, max_length=256 * 1024)
