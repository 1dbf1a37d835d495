"""Updating a profile: fields, audit entry and ``profile:update`` in one transaction.

A new email address is never taken on someone's word: ``profile_update`` (the API's
``PUT /user/profile``) and ``email_change_request`` (the portal) keep it as the pending
address, and mail it a link; following the link (``profile_email_confirm``) makes it the
account's. Otherwise a credential limited to ``profile`` could point the account's address
at its holder and take the account with a password reset.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction

from accounts.models import User
from accounts.selectors import email_in_use
from accounts.services import audit_log_record
from core.errors import ServiceError
from resources import events, selectors
from resources.models import PGPKey
from resources.signals import email_change_requested
from webhooks.services.emitting import event_emit

FIELDS = ("url", "location", "bio")
EMAIL_TAKEN = "An account already uses this email address."


def profile_update(*, user: User, changes: dict[str, Any], ip: str | None, base_url: str) -> User:
    """Apply ``changes``; ``use_pgp_key`` must be the fingerprint of one of the user's keys (or
    empty/null). A new ``email`` is requested, not applied (``email_change_request``): the
    returned user still has the current address, and ``pending_email`` the new one.

    ``user`` carries ``use_pgp_key`` as the selector annotates it; the returned user too.
    """
    email: str = changes.get("email") or user.email
    requested = email.lower() != user.email.lower()
    if requested:
        email_change_check(user=user, email=email)
    with transaction.atomic():
        profile_apply(user=user, changes={name: changes[name] for name in changes if name != "email"}, ip=ip)
        if requested:
            email_pending_keep(user=user, email=email, ip=ip)
    if requested:
        email_change_notify(user=user, base_url=base_url)
    return user


def email_change_request(*, user: User, email: str, base_url: str, ip: str | None) -> bool:
    """Keep ``email`` as the pending address and have its link mailed (and the current address
    told); False if no mail went out (the mail server refused it)."""
    if email.lower() == user.email.lower():
        raise ServiceError("email", "That is your email address already.")
    email_change_check(user=user, email=email)
    with transaction.atomic():
        email_pending_keep(user=user, email=email, ip=ip)
    return email_change_notify(user=user, base_url=base_url)


def profile_email_confirm(*, user: User, ip: str | None) -> User:
    """The pending address was confirmed (its link followed): it becomes the account's, and
    confirmed (audited as ``profile:update``, ``profile:update`` webhooks)."""
    user = selectors.user_get(user_id=user.pk)  # annotated as profile:update's payload needs it
    new = user.pending_email
    if not new:
        raise ServiceError(None, "No new email address is waiting for its confirmation.")
    email_change_check(user=user, email=new)
    with transaction.atomic():
        user.pending_email, user.email_verified = "", True
        user.save(update_fields=["pending_email", "email_verified"])
        return profile_apply(user=user, changes={"email": new}, ip=ip)


def email_change_check(*, user: User, email: str) -> None:
    if email_in_use(email, besides=user.pk):
        raise ServiceError("email", EMAIL_TAKEN)


def email_pending_keep(*, user: User, email: str, ip: str | None) -> None:
    user.pending_email = email
    user.save(update_fields=["pending_email"])
    audit_log_record(user_id=user.pk, action="email:change-request", ip=ip, details=email)


def email_change_notify(*, user: User, base_url: str) -> bool:
    replies = email_change_requested.send(sender=User, user=user, base_url=base_url)
    return any(reply is True for _, reply in replies)


def profile_apply(*, user: User, changes: dict[str, Any], ip: str | None) -> User:
    """Set the fields of ``changes`` that differ, in the caller's transaction: one audit entry
    and one ``profile:update`` event if any did."""
    changed = [name for name in (*FIELDS, "email") if name in changes and changes[name] != getattr(user, name)]
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
