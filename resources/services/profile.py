"""Updating a profile: fields, audit entry and ``profile:update`` in one transaction."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from accounts.models import User
from accounts.services import audit_log_record
from core.errors import ServiceError
from resources import events
from resources.models import PGPKey
from webhooks.services.emitting import event_emit

FIELDS = ("email", "url", "location", "bio")


def profile_update(*, user: User, changes: dict[str, Any], ip: str | None) -> User:
    """Apply ``changes``; ``use_pgp_key`` must be the fingerprint of one of the user's keys (or empty/null).

    ``user`` carries ``use_pgp_key`` as the selector annotates it; the returned user too.
    """
    with transaction.atomic():
        changed = [name for name in FIELDS if name in changes and changes[name] != getattr(user, name)]
        for name in changed:
            setattr(user, name, changes[name])
        if changed:
            user.save(update_fields=changed)
        if "use_pgp_key" in changes:
            fingerprint = (changes["use_pgp_key"] or "").replace(" ", "").upper() or None
            if fingerprint != getattr(user, "use_pgp_key", None):
                pgp_key_prefer(user=user, fingerprint=fingerprint)
                user.use_pgp_key = fingerprint  # type: ignore[attr-defined]
                changed.append("use_pgp_key")
        if changed:
            audit_log_record(user_id=user.pk, action="profile:update", ip=ip, details=", ".join(changed))
            event_emit(user_id=user.pk, event=events.PROFILE_UPDATE, payload=events.PROFILE_UPDATE.payload(user))
    return user


def pgp_key_prefer(*, user: User, fingerprint: str | None) -> None:
    """Mark the user's key with ``fingerprint`` preferred (None: no preference)."""
    keys = PGPKey.objects.filter(owner=user)
    if fingerprint is not None and not keys.filter(fingerprint=fingerprint).exists():
        raise ServiceError("use_pgp_key", "use_pgp_key must be the fingerprint of one of your PGP keys")
    keys.filter(preferred=True).exclude(fingerprint=fingerprint).update(preferred=False)
    if fingerprint is not None:
        keys.filter(fingerprint=fingerprint, preferred=False).update(preferred=True)
