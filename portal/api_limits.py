"""The API's strict rate-limit scopes hold in the portal too: creating a key or an app token
counts in ``apikey-create`` and a test ping or a replay in ``webhook-test``, in the same
buckets as the person's API requests (keyed by user), so the pages are no way around them.

    @rate_limited("apikey-create")
    def api_key_create(request): ...

A refused POST gets a page saying when to try again (429), or, for a fail-closed scope with
Redis down, to try shortly (503), as the API answers.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from auth.sessions import session_credential
from core.client import client_ip
from core.errors import RETRY_AFTER_SECONDS
from ratelimit import conf, headers
from ratelimit.services import Caller, rate_limit_hit


def refusal(request: HttpRequest, scope_name: str) -> HttpResponse | None:
    """Count the request in ``scope_name``; the page refusing it, or None to go on."""
    if not conf.enabled():
        return None
    scope = conf.scopes()[scope_name]
    outcome = rate_limit_hit(caller=Caller(session_credential(request.user), client_ip(request)), scope=scope)
    decision = outcome.decision
    if decision is None:
        if not scope.fail_closed:
            return None
        return refused(request, 503, RETRY_AFTER_SECONDS, "This is unavailable for a moment. Try again shortly.")
    if decision.revoked or not decision.allowed:
        wait = max(1, headers.seconds(decision.retry_after_ms))
        return refused(request, 429, str(wait), f"You have done this too often. Try again in {wait} seconds.")
    return None


def refused(request: HttpRequest, status: int, retry_after: str, reason: str) -> HttpResponse:
    response = render(request, "portal/refused.html", {"reason": reason}, status=status)
    response["Retry-After"] = retry_after
    return response


def rate_limited(scope_name: str) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """A view whose POSTs count in ``scope_name`` (one Redis round trip)."""

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            refused_page = refusal(request, scope_name) if request.method == "POST" else None
            return refused_page if refused_page is not None else view(request, *args, **kwargs)

        return wrapped

    return decorate
