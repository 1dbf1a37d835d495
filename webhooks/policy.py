"""When to try a delivery again: the retry policy as pure functions. No Django.

>>> retry_delay(1, schedule=(5, 300), jitter=0.0)
5.0
>>> retry_delay(3, schedule=(5, 300), jitter=0.0) is None      # used up
True
>>> outcome_of(404)
'final'
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from typing import Literal

# 4xx answers that mean "not now" rather than "never" (RFC 9110: timeout, too early, too many)
RETRYABLE_STATUSES = frozenset({408, 425, 429})
GONE = 410

Outcome = Literal["delivered", "retry", "final", "gone"]


def outcome_of(status: int | None) -> Outcome:
    """What an attempt's answer means: ``None`` is no HTTP answer (connection error, timeout)."""
    if status is not None and 200 <= status < 300:
        return "delivered"
    if status == GONE:
        return "gone"
    if status is None or status >= 500 or status in RETRYABLE_STATUSES:
        return "retry"
    return "final"


def retry_delay(
    attempts: int,
    *,
    schedule: Sequence[int],
    jitter: float,
    retry_after: float | None = None,
    max_retry_after: float = 86400,
    uniform: Callable[[float, float], float] = random.uniform,
) -> float | None:
    """Seconds until the next attempt after ``attempts`` tries, or None when they are used up.

    The schedule's delay varies by up to ``jitter`` either way (so retries of many
    deliveries spread out); a receiver's ``Retry-After`` lengthens it, up to ``max_retry_after``.
    """
    if attempts < 1 or attempts > len(schedule):
        return None
    delay = float(schedule[attempts - 1]) * uniform(1 - jitter, 1 + jitter)
    if retry_after is not None:
        delay = max(delay, min(retry_after, max_retry_after))
    return delay
