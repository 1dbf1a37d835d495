"""Per-endpoint circuit breakers, shared by every worker through Redis.

After ``BREAKER_THRESHOLD`` connection failures or timeouts in a row, an endpoint (an
origin, ``https://host:port``) is *open* until a time that grows with each consecutive
opening (:func:`webhooks.policy.breaker_open_seconds`): its due deliveries are postponed to
then without being attempted, and no worker leases them. Once the time passes the endpoint
is *tripped* (half-open): one delivery at a time probes it; any HTTP answer closes the
breaker, another failure opens it again for longer.

    apiservice:wh:breaker:<origin>   hash  failures, openings
    apiservice:wh:open               zset  origin -> open until (unix time)
    apiservice:wh:tripped            zset  origin -> when it first opened

With Redis unavailable the breakers are ignored (every endpoint is closed): deliveries go
on, and a dead endpoint costs one timeout per delivery until Redis is back.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

from redis.exceptions import RedisError

from core.redis import get_redis
from webhooks import policy

logger = logging.getLogger("webhooks.breaker")
PREFIX = "apiservice:wh"
OPEN = f"{PREFIX}:open"
TRIPPED = f"{PREFIX}:tripped"


def _key(origin: str) -> str:
    return f"{PREFIX}:breaker:{origin}"


@dataclass(frozen=True)
class Breakers:
    """The endpoints that are open (skip them) and tripped (one delivery at a time)."""

    open: frozenset[str] = frozenset()
    tripped: frozenset[str] = frozenset()


def breakers_read(now: float | None = None) -> Breakers:
    """One round trip: which origins are open now, and which are tripped."""
    now = time.time() if now is None else now
    try:
        pipe = get_redis().pipeline(transaction=False)
        pipe.zrangebyscore(OPEN, now, "+inf")
        pipe.zrange(TRIPPED, 0, -1)
        opened, tripped = pipe.execute()
    except RedisError as exc:
        logger.warning("circuit breakers unavailable (%s); every endpoint is treated as closed", type(exc).__name__)
        return Breakers()
    return Breakers(frozenset(o.decode() for o in opened), frozenset(o.decode() for o in tripped))


def breaker_failure(origin: str, *, threshold: int, schedule: list[int] | tuple[int, ...]) -> float | None:
    """Count a connection failure or timeout; returns the time the breaker is open until, if it opened."""
    try:
        client = get_redis()
        failures = int(client.hincrby(_key(origin), "failures", 1))
        if not policy.trips_breaker(failures, threshold=threshold):
            return None
        openings = int(client.hincrby(_key(origin), "openings", 1))
        until = time.time() + policy.breaker_open_seconds(openings, schedule=schedule)
        pipe = client.pipeline(transaction=False)
        pipe.zadd(OPEN, {origin: until})
        pipe.zadd(TRIPPED, {origin: time.time()}, nx=True)
        pipe.expire(_key(origin), 7 * 86400)
        pipe.execute()
    except RedisError as exc:
        logger.warning("circuit breaker for %s not recorded (%s)", origin, type(exc).__name__)
        return None
    logger.warning(
        "endpoint %s: breaker open for %.0f s after %d failures in a row", origin, until - time.time(), failures
    )
    return until


def breakers_close(origins: set[str]) -> None:
    """Any HTTP answer closes an endpoint's breaker: one round trip for a batch of endpoints."""
    if not origins:
        return
    try:
        pipe = get_redis().pipeline(transaction=False)
        pipe.delete(*[_key(origin) for origin in origins])
        pipe.zrem(OPEN, *origins)
        pipe.zrem(TRIPPED, *origins)
        pipe.execute()
    except RedisError as exc:
        logger.warning("circuit breakers not reset (%s)", type(exc).__name__)
