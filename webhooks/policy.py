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


def outcome_of(status: int | None, *, refused: bool = False) -> Outcome:
    """What an attempt's answer means: ``None`` is no HTTP answer (connection error, timeout).

    A URL the SSRF guard refused (``refused``) and a 4xx other than 408/425/429 are final:
    sending the same request again cannot succeed.
    """
    if refused:
        return "final"
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


def breaker_open_seconds(openings: int, *, schedule: Sequence[int]) -> float:
    """How long an endpoint's breaker stays open after its ``openings``-th consecutive opening.

    It follows the retry schedule (5 s, 5 min, 30 min, ...) and stays at its last step, so a
    dead endpoint costs one timeout per backoff period, not one per delivery.

    >>> breaker_open_seconds(1, schedule=(5, 300)), breaker_open_seconds(9, schedule=(5, 300))
    (5.0, 300.0)
    """
    if not schedule:
        return 0.0
    return float(schedule[min(max(openings, 1), len(schedule)) - 1])


def trips_breaker(consecutive_failures: int, *, threshold: int) -> bool:
    """Whether this many connection failures or timeouts in a row open an endpoint's breaker."""
    return threshold > 0 and consecutive_failures >= threshold
