"""Deleting an account: everything the person had goes; the user row stays as a tombstone.

    user_delete(user=alice, ip="203.0.113.9")
    # {"API keys": 3, "OAuth applications": 1, "OAuth tokens": 4, "repositories": 120, ...}

It lives here, in ``resources`` (layer 4), because it must delete what four layers hold:
keys and OAuth rows (``auth``, through its services so every JWT and token dies at once and
keys minted through the user's applications go with them), webhooks (``webhooks``), stored
idempotent answers (``idempotency``), SSH/PGP keys and repositories (here), sessions
(``accounts``); this is the lowest layer allowed to import all of them (the portal, above,
only calls it).

The user row is kept, emptied (no password, no email, no profile, inactive): the audit log
belongs to it and ends with ``account:delete``, and the username stays taken so nobody else
can become ``~name``. The tombstone is written first, in its own transaction: from its
commit on, no session, key, JWT or OAuth token of the user works (the user's revocation
marker, ``auth.signals``). Then every kind of row goes in batches of ``batch_size``, each
its own short transaction (a statement-level trigger keeps the counters at one write per
batch), so the time a lock is held is bounded however much the user had. Interrupted, it
can simply be called again: it continues where it stopped.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.db.models import F, QuerySet
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice
from oauth2_provider.models import (
    get_access_token_model,
    get_application_model,
    get_grant_model,
    get_id_token_model,
    get_refresh_token_model,
)

from accounts.models import User
from accounts.services import audit_log_record
from accounts.sessions import sessions_forget_all
from auth.models import ApiKey, OAuthRedeemedCode
from auth.oauth.services import oauth_app_delete
from auth.services import api_key_delete
from idempotency.models import IdempotencyRecord
from resources.models import PGPKey, Repository, SSHKey
from webhooks.services.retention import webhooks_erase

BATCH_SIZE = 500
DELETED = "the account was deleted"


def user_delete(*, user: User, ip: str | None, batch_size: int = BATCH_SIZE) -> dict[str, int]:
    """Delete everything of ``user``'s and keep the row as a tombstone; how many of each went."""
    user_tombstone(user=user)
    counts = {
        "API keys and app tokens": _each(
            ApiKey.objects.filter(user_id=user.pk), batch_size, lambda key: api_key_delete(api_key=key, ip=ip, reason=DELETED)
        ),
        "OAuth applications": _each(
            get_application_model().objects.filter(user_id=user.pk), batch_size,
            lambda application: oauth_app_delete(application=application, ip=ip),
        ),
        # Deleting an access token marks it revoked (auth.signals); the refresh tokens and codes go with the grant.
        "OAuth tokens": _rows(get_access_token_model().objects.filter(user_id=user.pk), batch_size),
        "OAuth refresh tokens": _rows(get_refresh_token_model().objects.filter(user_id=user.pk), batch_size),
        "OAuth codes": _rows(get_grant_model().objects.filter(user_id=user.pk), batch_size)
        + _rows(get_id_token_model().objects.filter(user_id=user.pk), batch_size)
        + _rows(OAuthRedeemedCode.objects.filter(user_id=user.pk).order_by("pk"), batch_size),
        "two-factor devices": _rows(TOTPDevice.objects.filter(user_id=user.pk), batch_size)
        + _rows(StaticDevice.objects.filter(user_id=user.pk), batch_size),
        "SSH keys": _rows(SSHKey.objects.filter(owner_id=user.pk), batch_size),
        "PGP keys": _rows(PGPKey.objects.filter(owner_id=user.pk), batch_size),
        "repositories": _rows(Repository.objects.filter(owner_id=user.pk), batch_size),
        **webhooks_erase(user_id=user.pk, batch_size=batch_size),
        "stored idempotent answers": _rows(IdempotencyRecord.objects.filter(user_id=user.pk), batch_size),
        "sessions": sessions_forget_all(user_id=user.pk),
    }  # fmt: skip
    details = ", ".join(f"{count} {name}" for name, count in counts.items() if count) or "nothing else to remove"
    audit_log_record(user_id=user.pk, action="account:delete", ip=ip, details=details)
    return counts


def user_tombstone(*, user: User) -> None:
    """Inactive, no password, no email, no profile, no rights, every session signed out; the name kept."""
    with transaction.atomic():
        user.is_active = user.is_staff = user.is_superuser = user.email_verified = False
        user.email = user.pending_email = user.first_name = user.last_name = user.url = user.location = user.bio = ""
        user.set_unusable_password()
        user.save()  # is_active among the fields saved: the user's JWTs and OAuth tokens are refused from now
        User.objects.filter(pk=user.pk).update(sessions_epoch=F("sessions_epoch") + 1)
        user.groups.clear()
        user.user_permissions.clear()


def _each(rows: QuerySet[Any], batch_size: int, delete: Callable[[Any], None]) -> int:
    """Delete row by row through a service, ``batch_size`` rows to a transaction."""
    done = 0
    while True:
        with transaction.atomic():
            batch = list(rows.order_by("pk")[:batch_size])
            for row in batch:
                delete(row)
        done += len(batch)
        if len(batch) < batch_size:
            return done


def _rows(rows: QuerySet[Any], batch_size: int) -> int:
    """Delete ``batch_size`` rows to a statement and to a transaction."""
    model, done = rows.model, 0
    ids = rows.order_by("pk").values_list("pk", flat=True)
    while True:
        with transaction.atomic():
            batch = list(ids[:batch_size])
            if batch:
                model.objects.filter(pk__in=batch).delete()
        done += len(batch)
        if len(batch) < batch_size:
            return done
