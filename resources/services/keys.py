"""Adding and removing SSH and PGP keys: row, audit entry and event in one transaction."""

from __future__ import annotations

from django.db import IntegrityError, transaction

from resources.models import PGPKey, SSHKey, User
from resources.parsing.pgp import parse_pgp_key
from resources.parsing.ssh import parse_ssh_key
from resources.serializers import PGPKeySerializer, SSHKeySerializer
from resources.services.audit import audit_log_record
from webhooks.services import event_emit


class DuplicateKey(Exception):
    """A key with the same fingerprint is already registered (by anyone)."""


def ssh_key_add(*, owner: User, text: str, ip: str | None) -> SSHKey:
    """Parse and store an SSH key. Raises InvalidSSHKey or DuplicateKey."""
    parsed = parse_ssh_key(text)
    if SSHKey.objects.filter(fingerprint=parsed.fingerprint).exists():
        raise DuplicateKey("this SSH key is already registered")
    try:
        with transaction.atomic():
            key = SSHKey.objects.create(
                owner=owner, key=parsed.key, comment=parsed.comment,
                fingerprint=parsed.fingerprint, fingerprint_sha256=parsed.fingerprint_sha256,
            )  # fmt: skip
            audit_log_record(user_id=owner.pk, action="ssh-key:add", ip=ip, details=parsed.fingerprint)
            event_emit(user_id=owner.pk, event="ssh-key:add", payload=SSHKeySerializer(key).data)
    except IntegrityError as exc:  # a concurrent add of the same key won the race
        raise DuplicateKey("this SSH key is already registered") from exc
    return key


def ssh_key_remove(*, key: SSHKey, ip: str | None) -> None:
    with transaction.atomic():
        key_id = key.pk
        audit_log_record(user_id=key.owner_id, action="ssh-key:remove", ip=ip, details=key.fingerprint)
        key.delete()
        event_emit(user_id=key.owner_id, event="ssh-key:remove", payload={"id": key_id})


def pgp_key_add(*, owner: User, text: str, ip: str | None) -> PGPKey:
    """Parse and store a PGP key. Raises InvalidPGPKey or DuplicateKey."""
    parsed = parse_pgp_key(text)
    if PGPKey.objects.filter(fingerprint=parsed.fingerprint).exists():
        raise DuplicateKey("this PGP key is already registered")
    try:
        with transaction.atomic():
            key = PGPKey.objects.create(
                owner=owner, key=parsed.armored, key_id=parsed.key_id, fingerprint=parsed.fingerprint,
                email=parsed.email, expiration=parsed.expiration,
            )  # fmt: skip
            audit_log_record(user_id=owner.pk, action="pgp-key:add", ip=ip, details=parsed.fingerprint)
            event_emit(user_id=owner.pk, event="pgp-key:add", payload=PGPKeySerializer(key).data)
    except IntegrityError as exc:
        raise DuplicateKey("this PGP key is already registered") from exc
    return key


def pgp_key_remove(*, key: PGPKey, ip: str | None) -> None:
    with transaction.atomic():
        key_id = key.pk
        audit_log_record(user_id=key.owner_id, action="pgp-key:remove", ip=ip, details=key.fingerprint)
        key.delete()  # a profile's use_pgp_key pointing here becomes null (SET_NULL)
        event_emit(user_id=key.owner_id, event="pgp-key:remove", payload={"id": key_id})
