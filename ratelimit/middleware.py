"""Rate limiting for every /api/ request (§5), after :class:`auth.middleware.CredentialMiddleware`.

In ``process_view`` (the view is known, so its strict scope is too) one Redis round trip
counts the request and checks the credential's revocation markers. A revoked credential
is a 401, an exhausted limit a 429 with ``Retry-After``; with Redis down, fail-closed
scopes are a 503 and the others pass unlimited. Requests that never reach a view (a 404)
are counted afterwards in their ordinary scope. Every response gets the headers.

A conditional read (``If-None-Match`` or ``If-Modified-Since``, §1.12) is only looked at
first (cost 0, the same round trip, still a 429 when the caller has nothing left) and
charged after the view only when the answer is not a 304: a 304 costs no quota, and a
second round trip is spent only on conditional reads that turn out to be a 200.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from apiservice.api.conditional import is_conditional_read
from apiservice.api.errors import json_error
from apiservice.api.headers import API_PREFIX, WWW_AUTHENTICATE_VALUE
from apiservice.api.middleware import RETRY_AFTER_SECONDS
from apiservice.api.redis import get_redis
from ratelimit import conf, headers, limiter, services

NOT_MODIFIED = 304


def rate_limit_peek(*, request: Any, scope: conf.Scope) -> services.Outcome:
    """:func:`ratelimit.services.rate_limit_hit` at cost 0: revocation and the bucket, nothing consumed.

    With Redis unavailable it hands over to ``rate_limit_hit``, which fails the same way
    and does the outage's logging and metrics.
    """
    credential = getattr(request, "api_credential", None)
    bucket, override = services.bucket_for(scope, request)
    revocation_keys = credential.revocation_keys if credential is not None else ()
    try:
        decision = limiter.hit(
            get_redis(), bucket, scope.policy, override_key=override, revocation_keys=revocation_keys, cost=0
        )
    except (RedisConnectionError, RedisTimeoutError):
        return services.rate_limit_hit(request=request, scope=scope)
    return services.Outcome(scope, decision)


def conditional_outcome(request: Any, scope: conf.Scope) -> tuple[services.Outcome, bool]:
    """``(outcome, charge later)`` for a conditional read.

    A peek that leaves the caller at least one request defers the charge to the answer. One
    that leaves none is followed by a real hit, which refuses without consuming and so gives
    the 429 its exact ``Retry-After`` (or, if the bucket refilled meanwhile, counts it now).
    """
    peeked = rate_limit_peek(request=request, scope=scope)
    decision = peeked.decision
    if decision is None or decision.revoked:
        return peeked, False
    if decision.exempt or decision.remaining >= 1:
        return peeked, True
    return services.rate_limit_hit(request=request, scope=scope), False


class RateLimitMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path.startswith(API_PREFIX) or not conf.enabled():
            return self.get_response(request)
        request.rate_limit = None  # type: ignore[attr-defined]
        request.rate_limit_deferred = False  # type: ignore[attr-defined]
        response = self.get_response(request)
        outcome = request.rate_limit  # type: ignore[attr-defined]
        if outcome is None:  # no view matched: count it now, in the ordinary scope
            outcome = services.rate_limit_hit(request=request, scope=services.request_scope(request))
        elif request.rate_limit_deferred and response.status_code != NOT_MODIFIED:  # type: ignore[attr-defined]
            charged = services.rate_limit_hit(request=request, scope=outcome.scope)
            if charged.decision is not None and not charged.decision.revoked:
                outcome = charged
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
        if is_conditional_read(request):
            outcome, deferred = conditional_outcome(request, scope)
            request.rate_limit_deferred = deferred  # type: ignore[attr-defined]
        else:
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
