"""Invitations (``ACCOUNT_REGISTRATION=invite``): made by operators and by people with the
permission ``portal.add_invite``; each link works once, until it expires.

    issued = invite_create(created_by=alice, note="for Bob", ip=ip)
    issued.token       # in the link /signup?invite=<token>: shown once, only its SHA-256 is kept
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from accounts.services import audit_log_record
from core.errors import ServiceError
from portal.conf import portal_settings
from portal.models import Invite

INVALID = "This invitation is not valid: it was used already, or it expired. Ask for a new one."


@dataclass(frozen=True)
class IssuedInvite:
    invite: Invite
    token: str  # shown once, never stored


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def invite_allowed(user: Any) -> bool:
    return bool(user.is_authenticated and user.is_active and user.has_perm("portal.add_invite"))


def invite_create(*, created_by: Any, note: str, ip: str | None, expires: datetime | None = None) -> IssuedInvite:
    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        invite = Invite.objects.create(
            token_hash=token_hash(token),
            note=note,
            created_by=created_by,
            expires=expires or timezone.now() + timedelta(days=portal_settings().INVITE_DAYS),
        )
        audit_log_record(
            user_id=created_by.pk, action="invite:create", ip=ip, details=f"invite {invite.pk} {note}".strip()
        )
    return IssuedInvite(invite=invite, token=token)


def invite_valid(*, token: str) -> Invite | None:
    """The unused, unexpired invite of ``token``, if any (a look only: signing up claims it)."""
    if not token:
        return None
    return Invite.objects.filter(token_hash=token_hash(token), used_at__isnull=True, expires__gt=timezone.now()).first()


def invite_claim(*, token: str) -> Invite:
    """Use up the invite, inside the caller's transaction (which then records ``used_by``);
    two sign-ups with one link: the second waits for the first and finds it used."""
    invite = (
        Invite.objects.select_for_update()
        .filter(token_hash=token_hash(token or ""), used_at__isnull=True, expires__gt=timezone.now())
        .first()
    )
    if invite is None:
        raise ServiceError("invite", INVALID)
    invite.used_at = timezone.now()
    invite.save(update_fields=["used_at"])
    return invite


def invites_of(*, user_id: int) -> QuerySet[Invite]:
    return Invite.objects.filter(created_by_id=user_id).select_related("used_by")
