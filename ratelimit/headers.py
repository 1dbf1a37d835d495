"""Rate-limit response headers (§5.3): Funkwhale's X-RateLimit-* set and the IETF fields.

X-RateLimit-Limit: 5500          X-RateLimit-Remaining: 5497
X-RateLimit-Reset: 1795359967    X-RateLimit-ResetSeconds: 2
X-RateLimit-Duration: 3600       X-RateLimit-Scope: authenticated-read
RateLimit-Policy: "authenticated-read";q=5500;w=3600
RateLimit: "authenticated-read";r=5497;t=2
"""

from __future__ import annotations

import math
import time

from core.context import Limit
from core.headers import (
    IETF_RATELIMIT,
    IETF_RATELIMIT_POLICY,
    RATELIMIT_DURATION,
    RATELIMIT_LIMIT,
    RATELIMIT_REMAINING,
    RATELIMIT_RESET,
    RATELIMIT_RESET_SECONDS,
    RATELIMIT_SCOPE,
)


def seconds(ms: int) -> int:
    return max(0, math.ceil(ms / 1000))


def values(limit: Limit) -> dict[str, str]:
    reset_seconds = seconds(limit.reset_after_ms)
    scope, period = limit.scope, limit.period
    return {
        RATELIMIT_LIMIT: str(limit.capacity),
        RATELIMIT_REMAINING: str(limit.remaining),
        RATELIMIT_RESET: str(int(time.time()) + reset_seconds),
        RATELIMIT_RESET_SECONDS: str(reset_seconds),
        RATELIMIT_DURATION: str(period),
        RATELIMIT_SCOPE: scope,
        IETF_RATELIMIT_POLICY: f'"{scope}";q={limit.capacity};w={period}',
        IETF_RATELIMIT: f'"{scope}";r={limit.remaining};t={reset_seconds}',
    }
