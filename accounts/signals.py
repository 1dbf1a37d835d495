"""Sessions are recorded as people sign in and out, however they do (the portal, the admin)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.dispatch import receiver

from accounts import sessions
from core.client import client_ip


@receiver(user_logged_in, dispatch_uid="accounts.session_signed_in")
def session_signed_in(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    session = getattr(request, "session", None)
    if session is None:
        return
    if session.session_key is None:  # login() flushed another user's session: give this one its key now
        session.save()
    sessions.session_record(
        user=user,
        session_key=session.session_key,
        ip=client_ip(request) if "REMOTE_ADDR" in request.META else None,
        user_agent=request.META.get("HTTP_USER_AGENT", ""),
    )


@receiver(user_logged_out, dispatch_uid="accounts.session_signed_out")
def session_signed_out(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    session = getattr(request, "session", None)
    if session is not None:
        sessions.session_forget(session_key=session.session_key)
