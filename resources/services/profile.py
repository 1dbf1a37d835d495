"""Updating a profile: fields, audit entry and ``profile:update`` in one transaction."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from resources.models import PGPKey, User
from resources.serializers import UserSerializer
from resources.services.audit import audit_log_record
from webhooks.services import event_emit

FIELDS = ("email", "url", "location", "bio")


class UnknownPGPKey(Exception):
    """``use_pgp_key`` names no PGP key of this user."""


def profile_update(*, user: User, changes: dict[str, Any], ip: str | None) -> User:
    with transaction.atomic():
        changed = [name for name in FIELDS if name in changes and changes[name] != getattr(user, name)]
        for name in changed:
            setattr(user, name, changes[name])
        if "use_pgp_key" in changes:
            fingerprint = (changes["use_pgp_key"] or "").replace(" ", "").upper()
            key = None
            if fingerprint:
                key = PGPKey.objects.filter(owner=user, fingerprint=fingerprint).first()
                if key is None:
                    raise UnknownPGPKey("use_pgp_key must be the fingerprint of one of your PGP keys")
            if user.use_pgp_key_id != (key.pk if key else None):
                user.use_pgp_key = key
                changed.append("use_pgp_key")
        if changed:
            user.save(update_fields=changed)
            audit_log_record(user_id=user.pk, action="profile:update", ip=ip, details=", ".join(changed))
            event_emit(user_id=user.pk, event="profile:update", payload=UserSerializer(user).data)
    return user
