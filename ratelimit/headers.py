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

from ratelimit.limiter import Decision

LIMIT = "X-RateLimit-Limit"
REMAINING = "X-RateLimit-Remaining"
RESET = "X-RateLimit-Reset"
RESET_SECONDS = "X-RateLimit-ResetSeconds"
DURATION = "X-RateLimit-Duration"
SCOPE = "X-RateLimit-Scope"
IETF_POLICY = "RateLimit-Policy"
IETF_LIMIT = "RateLimit"
RETRY_AFTER = "Retry-After"


def seconds(ms: int) -> int:
    return max(0, math.ceil(ms / 1000))


def values(scope: str, period: int, decision: Decision) -> dict[str, str]:
    reset_seconds = seconds(decision.reset_after_ms)
    return {
        LIMIT: str(decision.capacity),
        REMAINING: str(decision.remaining),
        RESET: str(int(time.time()) + reset_seconds),
        RESET_SECONDS: str(reset_seconds),
        DURATION: str(period),
        SCOPE: scope,
        IETF_POLICY: f'"{scope}";q={decision.capacity};w={period}',
        IETF_LIMIT: f'"{scope}";r={decision.remaining};t={reset_seconds}',
    }
