"""A person's browser sessions: "sign out others", and keeping the list's rows in step with
what Django does to the current session (a new key at each password change).

    sessions_sign_out_others(request=request)    # every other browser is signed out at its next request
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.contrib.auth import update_session_auth_hash
from django.http import HttpRequest

from accounts import sessions
from accounts.services import audit_log_record
from core.client import client_ip


def sessions_sign_out_others(*, request: HttpRequest) -> int:
    """Sign out every other session of the signed-in user; how many were listed."""
    user: Any = request.user
    old_key = request.session.session_key
    ended = sessions.sessions_end_others(user=user, keep=old_key)
    update_session_auth_hash(request, user)  # this session: the new hash, and a new key
    sessions.session_rekey(old_key=old_key, new_key=request.session.session_key)
    audit_log_record(
        user_id=user.pk, action="sessions:sign-out-others", ip=client_ip(request), details=f"{ended} other sessions"
    )
    return ended


def sessions_after_password_change(*, request: HttpRequest, old_key: str | None) -> None:
    """Django signed out the other sessions (the password is in their hash) and re-keyed this one."""
    user: Any = request.user
    sessions.session_rekey(old_key=old_key, new_key=request.session.session_key)
    sessions.sessions_forget_others(user_id=user.pk, keep=request.session.session_key)
    audit_log_record(user_id=user.pk, action="password:change", ip=client_ip(request))


SEEN_KEY = "portal_seen_at"


def session_activity(request: HttpRequest) -> dict[str, Any]:
    """A context processor: a settings page opened notes the session's "last seen" (one write
    every few minutes at most, ``accounts.sessions.SEEN_EVERY``)."""
    if not request.path.startswith("/settings/") or not request.user.is_authenticated:
        return {}
    key = request.session.session_key
    if key:
        raw = request.session.get(SEEN_KEY)
        seen = datetime.fromisoformat(raw) if isinstance(raw, str) else None
        written = sessions.session_seen(session_key=key, last_seen=seen)
        if written is not seen:
            request.session[SEEN_KEY] = written.isoformat()
    return {}
