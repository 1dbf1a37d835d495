"""Browser sessions a user is signed in with (:class:`accounts.models.UserSession`).

    session_record(user=alice, session_key=request.session.session_key, ip="203.0.113.9", user_agent="...")
    sessions_end_others(user=alice, keep=request.session)   # then the caller: update_session_auth_hash

Django's sessions hold who is signed in; these rows only describe them, so a row can be
stale (a session that expired on its own) but never keeps a session alive: signing out
others works by the user's session hash (``User.sessions_epoch``), not by these rows.
"""

from __future__ import annotations

import hashlib
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F, QuerySet
from django.utils import timezone

from accounts.models import User, UserSession

SEEN_EVERY = timedelta(minutes=5)  # last_seen is written at most this often per session
USER_AGENT_LENGTH = 300


def key_hash(session_key: str) -> str:
    return hashlib.sha256(session_key.encode()).hexdigest()


def session_record(*, user: Any, session_key: str, ip: str | None, user_agent: str) -> UserSession:
    """A new signed-in session (or the same key signed in again)."""
    now = timezone.now()
    row, _ = UserSession.objects.update_or_create(
        key_hash=key_hash(session_key),
        defaults={"user": user, "last_seen": now, "ip": ip, "user_agent": user_agent[:USER_AGENT_LENGTH]},
    )
    return row


def session_seen(*, session_key: str, last_seen: Any) -> Any:
    """Note the session's use; returns when it was last written (one UPDATE every ``SEEN_EVERY``)."""
    now = timezone.now()
    if last_seen is not None and now - last_seen < SEEN_EVERY:
        return last_seen
    UserSession.objects.filter(key_hash=key_hash(session_key)).update(last_seen=now)
    return now


def session_forget(*, session_key: str | None) -> None:
    """The session signed out."""
    if session_key:
        UserSession.objects.filter(key_hash=key_hash(session_key)).delete()


def session_rekey(*, old_key: str | None, new_key: str | None) -> None:
    """Django gave the session a new key (``cycle_key``: a new password, "sign out others")."""
    if old_key and new_key and old_key != new_key:
        UserSession.objects.filter(key_hash=key_hash(old_key)).update(key_hash=key_hash(new_key))


def sessions_active(*, user_id: int) -> QuerySet[UserSession]:
    """The user's sessions seen within the session lifetime (``SESSION_COOKIE_AGE``)."""
    since = timezone.now() - timedelta(seconds=settings.SESSION_COOKIE_AGE)
    return UserSession.objects.filter(user_id=user_id, last_seen__gte=since)


def sessions_end_others(*, user: User, keep: str | None) -> int:
    """Sign out every session of ``user`` but the one with key ``keep``; how many rows went.

    Raises the user's sessions epoch: every session's stored hash stops matching, so Django
    signs each out at its next request. The caller hands its own session the new hash
    (``django.contrib.auth.update_session_auth_hash``, which also gives it a new key:
    :func:`session_rekey`).
    """
    with transaction.atomic():
        User.objects.filter(pk=user.pk).update(sessions_epoch=F("sessions_epoch") + 1)
        user.refresh_from_db(fields=["sessions_epoch"])
        return sessions_forget_others(user_id=user.pk, keep=keep)


def sessions_forget_others(*, user_id: int, keep: str | None) -> int:
    """The rows of every session of the user's but ``keep`` (signed out some other way: a new password)."""
    others = UserSession.objects.filter(user_id=user_id)
    if keep:
        others = others.exclude(key_hash=key_hash(keep))
    return others.delete()[0]


def sessions_forget_all(*, user_id: int) -> int:
    """Every row of the user's (their password was reset, or the account deleted)."""
    return UserSession.objects.filter(user_id=user_id).delete()[0]
