"""Counting requests: which scope and bucket a request falls in, and the one Redis call.

A caller is a verified credential (``core.context.Credential``: the user's buckets, and its
revocation markers, checked in the same round trip) or, without one, a client address.
"""

from __future__ import annotations

import hashlib
import logging
from typing import NamedTuple

from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from core.context import Credential, Route
from core.metrics import record_rate_limit
from core.outages import OUTAGES, REDIS
from core.redis import get_redis
from ratelimit import conf, limiter
from ratelimit.limiter import Decision

logger = logging.getLogger("ratelimit")
READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
UNLIMITED = "requests go on without rate limits, and the fail-closed scopes (authenticate, apikey-create) are answered 503, until it is back"
PREFIX = "apiservice:rl"


class Caller(NamedTuple):
    """Who a request is counted against: the credential's user, else the client's address;
    in the OAuth scopes, the client id it names with the address."""

    credential: Credential | None
    address: str
    client_id: str | None = None

    @property
    def revocation_keys(self) -> tuple[str, ...]:
        return () if self.credential is None else self.credential.revocation_keys


class Outcome(NamedTuple):
    """What the limiter decided for a request; ``decision`` is None when Redis was unavailable."""

    scope: conf.Scope
    decision: Decision | None


def override_key(user_id: int) -> str:
    return f"{PREFIX}:override:{user_id}"


def request_scope(caller: Caller, method: str, route: Route | None = None) -> conf.Scope:
    """The route's strict scope for ``method`` (``authenticate``, ``apikey-create``), else the
    ordinary read or write scope of an anonymous or authenticated caller."""
    scopes = conf.scopes()
    strict = route.rate_limit_scope(method) if route is not None else None
    if strict:
        return scopes[strict]
    read = method in READ_METHODS
    if caller.credential is None:
        return scopes[conf.ANONYMOUS_READ if read else conf.ANONYMOUS_WRITE]
    return scopes[conf.AUTHENTICATED_READ if read else conf.AUTHENTICATED_WRITE]


def bucket_for(scope: conf.Scope, caller: Caller) -> tuple[str, str | None]:
    """``(bucket key, override key)``; per-user scopes fall back to the address when anonymous,
    per-client ones when the request names no client.

    A client id is the caller's to choose, so it never keys a bucket alone: its digest (any
    length in, a fixed-size key out) joins the address.
    """
    if scope.by == "user" and caller.credential is not None:
        user_id = caller.credential.user_id
        return f"{PREFIX}:{scope.name}:u:{user_id}", override_key(user_id)
    if scope.by == "client" and caller.client_id:
        digest = hashlib.sha256(caller.client_id.encode("utf-8", "surrogatepass")).hexdigest()[:32]
        return f"{PREFIX}:{scope.name}:c:{digest}:a:{caller.address}", None
    return f"{PREFIX}:{scope.name}:a:{caller.address}", None


def rate_limit_hit(*, caller: Caller, scope: conf.Scope, cost: int = 1) -> Outcome:
    """Count the request (``cost=0``: only look) and check the caller's revocation markers:
    one round trip.

    With Redis unavailable, returns an outcome without a decision; the caller refuses
    fail-closed scopes and lets the others through. Every counted decision is recorded in
    ``apiservice_rate_limit_decisions_total{scope, outcome}``.
    """
    bucket, override = bucket_for(scope, caller)
    try:
        decision = limiter.hit(
            get_redis(), bucket, scope.policy, override_key=override, revocation_keys=caller.revocation_keys, cost=cost
        )
    except (RedisConnectionError, RedisTimeoutError) as exc:
        record_rate_limit(scope.name, "fail-closed" if scope.fail_closed else "fail-open")
        OUTAGES.failed(REDIS, exc, refused=scope.fail_closed, consequence=UNLIMITED)
        return Outcome(scope, None)
    OUTAGES.recovered(REDIS)
    if cost:
        record_rate_limit(scope.name, "revoked" if decision.revoked else "allowed" if decision.allowed else "limited")
    return Outcome(scope, decision)


def rate_limit_revalidation(*, caller: Caller, scope: conf.Scope) -> tuple[Outcome, Outcome]:
    """For a read that names its entity tags: a look at ``scope`` (cost 0, revocation checked) and
    one request counted in the revalidation scope, in one round trip: ``(looked, revalidated)``."""
    bounded = conf.scopes()[conf.REVALIDATION]
    looked_at, counted_in = bucket_for(scope, caller), bucket_for(bounded, caller)
    try:
        looked, counted = limiter.hit_many(
            get_redis(),
            [
                (looked_at[0], scope.policy, looked_at[1], caller.revocation_keys, 0),
                (counted_in[0], bounded.policy, counted_in[1], (), 1),
            ],
        )
    except (RedisConnectionError, RedisTimeoutError):
        return rate_limit_hit(caller=caller, scope=scope), Outcome(bounded, None)  # fails as a hit does
    record_rate_limit(bounded.name, "allowed" if counted.allowed else "limited")
    return Outcome(scope, looked), Outcome(bounded, counted)


def revoked(caller: Caller) -> bool | None:
    """Whether the caller's credential was revoked (rate limits turned off: the markers alone);
    None when Redis cannot tell."""
    keys = caller.revocation_keys
    if not keys:
        return False
    try:
        return bool(get_redis().exists(*keys))
    except (RedisConnectionError, RedisTimeoutError):
        return None


def applicable_scopes(caller: Caller) -> list[conf.Scope]:
    """Every scope a caller's requests can fall in, for ``GET /rate-limit``."""
    scopes = conf.scopes()
    if caller.credential is None:
        names = [conf.ANONYMOUS_READ, conf.ANONYMOUS_WRITE, conf.AUTHENTICATE, conf.REVALIDATION]
    else:
        names = [
            conf.AUTHENTICATED_READ,
            conf.AUTHENTICATED_WRITE,
            conf.AUTHENTICATE,
            conf.APIKEY_CREATE,
            conf.WEBHOOK_TEST,
            conf.REVALIDATION,
        ]
    return [scopes[name] for name in names]


def rate_limit_status(caller: Caller) -> list[tuple[conf.Scope, Decision]]:
    scopes = applicable_scopes(caller)
    buckets = [(*bucket_for(scope, caller),) for scope in scopes]
    decisions = limiter.peek_many(get_redis(), [(b, s.policy, o) for (b, o), s in zip(buckets, scopes, strict=True)])
    return list(zip(scopes, decisions, strict=True))
