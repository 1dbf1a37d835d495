"""The rate limiter: one Lua script in Redis, so each request costs one round trip. No Django.

GCRA (the generic cell rate algorithm), equivalent to a token bucket that holds
``limit + burst`` requests and refills at ``limit`` per ``period``, kept as a single
"theoretical arrival time" per bucket and decided on Redis' own clock. There is no
window edge, so nothing lets twice the limit through at a boundary.

The same script also checks the credential's revocation markers and reads the caller's
override, so that authentication, limits and overrides together cost one round trip:

    KEYS = [bucket, override, *revocation_markers]
    ARGV = [limit, period_ms, burst, cost]
    -> [status, capacity, remaining, reset_after_ms, retry_after_ms]

``status`` is 1 allowed, 0 limited, -1 revoked, 2 exempt (an override). ``cost`` 0 peeks
without consuming. Every number is an integer (Lua numbers returned to Redis truncate).
Inside Redis the script makes at most four calls (EXISTS on every marker at once, MGET of
the bucket and the override, TIME, SET): each ``redis.call`` costs Redis a few
microseconds of its single thread on every request.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from ratelimit.policy import Policy

SCRIPT = """
if #KEYS > 2 and redis.call('EXISTS', unpack(KEYS, 3)) > 0 then
  return {-1, 0, 0, 0, 0}
end
local limit = tonumber(ARGV[1])
local period = tonumber(ARGV[2])
local burst = tonumber(ARGV[3])
local cost = tonumber(ARGV[4])
local stored = redis.call('MGET', KEYS[1], KEYS[2])
local override = stored[2]
if override == 'exempt' then
  return {2, limit + burst, limit + burst, 0, 0}
end
if override then
  local factor = tonumber(override)
  if factor and factor > 0 then
    limit = math.max(1, math.floor(limit * factor))
    burst = math.floor(burst * factor)
  end
end
local capacity = limit + burst
local interval = period / limit                 -- ms per request at the sustained rate
local now_parts = redis.call('TIME')
local now = tonumber(now_parts[1]) * 1000 + math.floor(tonumber(now_parts[2]) / 1000)
local tat = tonumber(stored[1] or now)
if tat < now then tat = now end
local new_tat = tat + interval * cost
local horizon = interval * capacity             -- how far ahead of now the bucket may run
if new_tat - now > horizon then
  local retry = math.ceil(new_tat - now - horizon)
  local remaining = math.floor((horizon - (tat - now)) / interval)
  return {0, capacity, math.max(0, remaining), math.ceil(tat - now), retry}
end
if cost > 0 then
  redis.call('SET', KEYS[1], string.format('%.3f', new_tat), 'PX', math.max(1, math.ceil(new_tat - now)))
end
local remaining = math.floor((horizon - (new_tat - now)) / interval)
return {1, capacity, remaining, math.ceil(new_tat - now), 0}
"""

PLACEHOLDER_KEY = "apiservice:rl:none"  # an override key that never exists (anonymous callers)


class RedisLike(Protocol):
    def execute_command(self, *args: Any, **options: Any) -> Any: ...
    def pipeline(self, transaction: bool = True) -> Any: ...


@dataclass(frozen=True, slots=True)
class Decision:
    status: int
    capacity: int
    remaining: int
    reset_after_ms: int
    retry_after_ms: int

    @property
    def allowed(self) -> bool:
        return self.status in (1, 2)

    @property
    def revoked(self) -> bool:
        return self.status == -1

    @property
    def exempt(self) -> bool:
        return self.status == 2


def script_sha() -> str:
    import hashlib

    return hashlib.sha1(SCRIPT.encode()).hexdigest()  # noqa: S324 - Redis names scripts by SHA-1


SHA = script_sha()


def _args(
    bucket: str, policy: Policy, override_key: str | None, revocation_keys: tuple[str, ...], cost: int
) -> list[Any]:
    keys = [bucket, override_key or PLACEHOLDER_KEY, *revocation_keys]
    return [len(keys), *keys, policy.limit, policy.period * 1000, policy.burst, cost]


def _decision(reply: list[Any]) -> Decision:
    return Decision(*(int(value) for value in reply))


def hit(
    client: RedisLike,
    bucket: str,
    policy: Policy,
    *,
    override_key: str | None = None,
    revocation_keys: tuple[str, ...] = (),
    cost: int = 1,
) -> Decision:
    """Count one request in ``bucket`` (``cost=0`` only looks). One round trip (EVALSHA).

    On the first call of a process (or after a Redis restart) the script is not cached
    yet: EVAL sends it once, which also caches it for every later EVALSHA.
    """
    args = _args(bucket, policy, override_key, revocation_keys, cost)
    try:
        reply = client.execute_command("EVALSHA", SHA, *args)
    except Exception as exc:  # redis.exceptions.NoScriptError, without importing redis here
        if type(exc).__name__ != "NoScriptError" and "NOSCRIPT" not in str(exc):
            raise
        reply = client.execute_command("EVAL", SCRIPT, *args)
    return _decision(reply)


def hit_many(client: RedisLike, hits: list[tuple[str, Policy, str | None, tuple[str, ...], int]]) -> list[Decision]:
    """Several :func:`hit` calls ``(bucket, policy, override_key, revocation_keys, cost)`` in one
    pipelined round trip (the script is loaded first if Redis does not know it yet)."""
    pipe = client.pipeline(transaction=False)
    for bucket, policy, override_key, revocation_keys, cost in hits:
        pipe.execute_command("EVALSHA", SHA, *_args(bucket, policy, override_key, revocation_keys, cost))
    try:
        replies = pipe.execute()
    except Exception as exc:  # NoScriptError, without importing redis here
        if type(exc).__name__ != "NoScriptError" and "NOSCRIPT" not in str(exc):
            raise
        client.execute_command("SCRIPT", "LOAD", SCRIPT)
        return hit_many(client, hits)
    return [_decision(reply) for reply in replies]


def peek_many(client: RedisLike, buckets: list[tuple[str, Policy, str | None]]) -> list[Decision]:
    """Look at several buckets in one pipelined round trip, consuming nothing."""
    hit(client, PLACEHOLDER_KEY, Policy(1, 1), cost=0)  # makes sure the script is cached
    pipe = client.pipeline(transaction=False)
    for bucket, policy, override_key in buckets:
        pipe.execute_command("EVALSHA", SHA, *_args(bucket, policy, override_key, (), 0))
    return [_decision(reply) for reply in pipe.execute()]
