"""Adding and removing SSH and PGP keys: row, audit entry and event in one transaction."""

from __future__ import annotations

from django.db import IntegrityError, transaction

from accounts.models import User
from accounts.services import audit_log_record
from core.errors import ServiceError
from resources import events
from resources.models import PGPKey, SSHKey
from resources.parsing.pgp import InvalidPGPKey, parse_pgp_key
from resources.parsing.ssh import InvalidSSHKey, parse_ssh_key
from webhooks.services.emitting import event_emit

SSH_FIELD, PGP_FIELD = "ssh-key", "pgp-key"  # the request fields (sourcehut's hyphenated names)


def ssh_key_add(*, owner: User, text: str, ip: str | None) -> SSHKey:
    """Parse and store an SSH key; a malformed or already registered key is a 400 on ``ssh-key``."""
    try:
        parsed = parse_ssh_key(text)
    except InvalidSSHKey as exc:
        raise ServiceError(SSH_FIELD, str(exc)) from exc
    duplicate = ServiceError(SSH_FIELD, "this SSH key is already registered")
    if SSHKey.objects.filter(fingerprint=parsed.fingerprint).exists():
        raise duplicate
    try:
        with transaction.atomic():
            key = SSHKey.objects.create(
                owner=owner, key=parsed.key, comment=parsed.comment,
                fingerprint=parsed.fingerprint, fingerprint_sha256=parsed.fingerprint_sha256,
            )  # fmt: skip
            audit_log_record(user_id=owner.pk, action="ssh-key:add", ip=ip, details=parsed.fingerprint)
            event_emit(user_id=owner.pk, event=events.SSH_KEY_ADD, payload=events.SSH_KEY_ADD.payload(key))
    except IntegrityError as exc:  # a concurrent add of the same key won the race
        raise duplicate from exc
    return key


def ssh_key_remove(*, key: SSHKey, ip: str | None) -> None:
    with transaction.atomic():
        key_id = key.pk
        audit_log_record(user_id=key.owner_id, action="ssh-key:remove", ip=ip, details=key.fingerprint)
        key.delete()
        event_emit(user_id=key.owner_id, event=events.SSH_KEY_REMOVE, payload=events.SSH_KEY_REMOVE.payload(key_id))


def pgp_key_add(*, owner: User, text: str, ip: str | None) -> PGPKey:
    """Parse and store a PGP key; a malformed or already registered key is a 400 on ``pgp-key``."""
    try:
        parsed = parse_pgp_key(text)
    except InvalidPGPKey as exc:
        raise ServiceError(PGP_FIELD, str(exc)) from exc
    duplicate = ServiceError(PGP_FIELD, "this PGP key is already registered")
    if PGPKey.objects.filter(fingerprint=parsed.fingerprint).exists():
        raise duplicate
    try:
        with transaction.atomic():
            key = PGPKey.objects.create(
                owner=owner, key=parsed.armored, key_id=parsed.key_id, fingerprint=parsed.fingerprint,
                email=parsed.email, expiration=parsed.expiration,
            )  # fmt: skip
            audit_log_record(user_id=owner.pk, action="pgp-key:add", ip=ip, details=parsed.fingerprint)
            event_emit(user_id=owner.pk, event=events.PGP_KEY_ADD, payload=events.PGP_KEY_ADD.payload(key))
    except IntegrityError as exc:
        raise duplicate from exc
    return key


def pgp_key_remove(*, key: PGPKey, ip: str | None) -> None:
    with transaction.atomic():
        key_id = key.pk
        audit_log_record(user_id=key.owner_id, action="pgp-key:remove", ip=ip, details=key.fingerprint)
        key.delete()  # a profile's use_pgp_key pointing here goes with it
        event_emit(user_id=key.owner_id, event=events.PGP_KEY_REMOVE, payload=events.PGP_KEY_REMOVE.payload(key_id))
