"""A signed-in person browsing the API (§7.4): the browser's session as a credential.

A request to ``/api/`` with no ``Authorization`` header but Django's session cookie is the
person themselves, in a browser looking at the browsable pages: it acts with every scope
(the portal's own rights), and, as DRF's ``SessionAuthentication`` does, a method that
changes something must carry the CSRF token (``X-CSRFToken``, or the form's field). API
clients send no cookie and pay nothing for this: the cookie is looked for in ``META``.

    GET /api/v1/repos      Cookie: sessionid=...                        -> 200, the person's repositories
    POST /api/v1/repos     Cookie: sessionid=... (no X-CSRFToken)       -> 403
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import CsrfViewMiddleware

from auth import revocation
from auth.credentials import Credential
from auth.scopes import ALL

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})


def has_session_cookie(request: HttpRequest) -> bool:
    return "HTTP_COOKIE" in request.META and settings.SESSION_COOKIE_NAME in request.COOKIES


def session_user(request: HttpRequest) -> Any | None:
    """The signed-in user of the request's session (loading it as SessionMiddleware would), or None."""
    engine = import_module(settings.SESSION_ENGINE)
    request.session = engine.SessionStore(request.COOKIES[settings.SESSION_COOKIE_NAME])  # type: ignore[attr-defined]
    user = get_user(request)
    return user if user.is_authenticated and user.is_active else None


def session_credential(user: Any) -> Credential:
    return Credential(
        kind="session", user_id=user.pk, api_key_id=0, scopes=frozenset({ALL}), username=user.get_username(),
        revocation_keys=(revocation.user_marker(user.pk),),
    )  # fmt: skip


def csrf_refusal(request: HttpRequest) -> HttpResponse | None:
    """Django's CSRF check, as DRF's SessionAuthentication makes it: None when the request passes."""
    if request.method in SAFE_METHODS:
        return None
    check = CsrfViewMiddleware(lambda request: HttpResponse())
    check.process_request(request)
    refused: HttpResponse | None = check.process_view(request, lambda request: HttpResponse(), (), {})
    return refused
