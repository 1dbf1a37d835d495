"""Rate limiting for every /api/ request (§5), after :class:`auth.middleware.CredentialMiddleware`.

In ``process_view`` (the view is known, so its strict scope is too) one Redis round trip
counts the request and checks the credential's revocation markers. A revoked credential
is a 401, an exhausted limit a 429 with ``Retry-After``; with Redis down, fail-closed
scopes are a 503 and the others pass unlimited. Requests that never reach a view (a 404)
are counted afterwards in their ordinary scope. Every response gets the headers.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse

from apiservice.api.errors import json_error
from apiservice.api.headers import API_PREFIX, WWW_AUTHENTICATE_VALUE
from apiservice.api.middleware import RETRY_AFTER_SECONDS
from ratelimit import conf, headers, services


class RateLimitMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path.startswith(API_PREFIX) or not conf.enabled():
            return self.get_response(request)
        request.rate_limit = None  # type: ignore[attr-defined]
        response = self.get_response(request)
        outcome = request.rate_limit  # type: ignore[attr-defined]
        if outcome is None:  # no view matched: count it now, in the ordinary scope
            outcome = services.rate_limit_hit(request=request, scope=services.request_scope(request))
        if outcome.decision is not None and not outcome.decision.revoked:
            for name, value in headers.values(
                outcome.scope.name, outcome.scope.policy.period, outcome.decision
            ).items():
                response[name] = value
        return response

    def process_view(self, request: HttpRequest, view_func: Any, args: Any, kwargs: Any) -> HttpResponse | None:
        if not request.path.startswith(API_PREFIX) or not conf.enabled():
            return None
        scope = services.request_scope(request, getattr(view_func, "cls", None))
        outcome = services.rate_limit_hit(request=request, scope=scope)
        request.rate_limit = outcome  # type: ignore[attr-defined]
        decision = outcome.decision
        if decision is None:
            if scope.fail_closed:
                return json_error(503, "rate limiter unavailable; try again shortly", Retry_After=RETRY_AFTER_SECONDS)
            return None
        if decision.revoked:
            return json_error(401, "credential revoked", WWW_Authenticate=WWW_AUTHENTICATE_VALUE)
        if not decision.allowed:
            wait = max(1, headers.seconds(decision.retry_after_ms))
            return json_error(429, f"rate limit exceeded for {scope.name}; retry in {wait} s", Retry_After=str(wait))
        return None
