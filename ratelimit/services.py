"""Counting requests: which scope and bucket a request falls in, and the one Redis call."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from apiservice.api.client import client_ip
from apiservice.api.metrics import record_rate_limit
from apiservice.api.redis import get_redis
from ratelimit import conf, limiter
from ratelimit.limiter import Decision

logger = logging.getLogger("ratelimit")
READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
PREFIX = "apiservice:rl"


@dataclass(frozen=True)
class Outcome:
    """What the limiter decided for a request; ``decision`` is None when Redis was unavailable."""

    scope: conf.Scope
    decision: Decision | None


def override_key(user_id: int) -> str:
    return f"{PREFIX}:override:{user_id}"


def request_scope(request: Any, view_class: Any = None) -> conf.Scope:
    scopes = conf.scopes()
    strict = getattr(view_class, "rate_limit_scopes", {}).get(request.method) if view_class is not None else None
    if strict:
        return scopes[strict]
    read = request.method in READ_METHODS
    if getattr(request, "api_credential", None) is None:
        return scopes[conf.ANONYMOUS_READ if read else conf.ANONYMOUS_WRITE]
    return scopes[conf.AUTHENTICATED_READ if read else conf.AUTHENTICATED_WRITE]


def bucket_for(scope: conf.Scope, request: Any) -> tuple[str, str | None]:
    """``(bucket key, override key)``; per-user scopes fall back to the address when anonymous."""
    credential = getattr(request, "api_credential", None)
    if scope.by == "user" and credential is not None:
        return f"{PREFIX}:{scope.name}:u:{credential.user_id}", override_key(credential.user_id)
    return f"{PREFIX}:{scope.name}:a:{client_ip(request)}", None


def rate_limit_hit(*, request: Any, scope: conf.Scope) -> Outcome:
    """Count the request and check its credential's revocation markers: one round trip.

    With Redis unavailable, returns an outcome without a decision; the caller refuses
    fail-closed scopes and lets the others through. Every decision is counted in
    ``apiservice_rate_limit_decisions_total{scope, outcome}``.
    """
    credential = getattr(request, "api_credential", None)
    bucket, override = bucket_for(scope, request)
    revocation_keys = credential.revocation_keys if credential is not None else ()
    try:
        decision = limiter.hit(
            get_redis(), bucket, scope.policy, override_key=override, revocation_keys=revocation_keys
        )
    except (RedisConnectionError, RedisTimeoutError) as exc:
        record_rate_limit(scope.name, "fail-closed" if scope.fail_closed else "fail-open")
        logger.warning(
            "rate limiter unavailable (%s); scope %s %s", type(exc).__name__, scope.name,
            "refused" if scope.fail_closed else "not limited",
        )  # fmt: skip
        return Outcome(scope, None)
    record_rate_limit(scope.name, "revoked" if decision.revoked else "allowed" if decision.allowed else "limited")
    return Outcome(scope, decision)


def applicable_scopes(request: Any) -> list[conf.Scope]:
    """Every scope a caller's requests can fall in, for ``GET /rate-limit``."""
    scopes = conf.scopes()
    if getattr(request, "api_credential", None) is None:
        names = [conf.ANONYMOUS_READ, conf.ANONYMOUS_WRITE, conf.AUTHENTICATE]
    else:
        names = [
            conf.AUTHENTICATED_READ,
            conf.AUTHENTICATED_WRITE,
            conf.AUTHENTICATE,
            conf.APIKEY_CREATE,
            conf.WEBHOOK_TEST,
        ]
    return [scopes[name] for name in names]


def rate_limit_status(request: Any) -> list[tuple[conf.Scope, Decision]]:
    scopes = applicable_scopes(request)
    buckets = [(*bucket_for(scope, request),) for scope in scopes]
    decisions = limiter.peek_many(get_redis(), [(b, s.policy, o) for (b, o), s in zip(buckets, scopes, strict=True)])
    return list(zip(scopes, decisions, strict=True))
