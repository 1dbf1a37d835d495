"""A circuit breaker for handing tasks to the broker, one per process. Pure: no Django, no I/O.

With the outbox, enqueueing a delivery task is an optimisation (the sweeper sends whatever
is due), so a request must not wait on a broker that is down. After a failed enqueue the
breaker is *open*: nothing is attempted for ``cooldown`` seconds. Then it is *half-open*:
exactly one caller may try (the others still skip); a success closes it, a failure opens it
again for another ``cooldown``. A probe that never reports back counts as failed once the
next cool-down has passed, so the breaker cannot stay stuck half-open.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

CLOSED, OPEN, HALF_OPEN = "closed", "open", "half-open"


@dataclass
class EnqueueBreaker:
    cooldown: float = 1.0
    clock: Callable[[], float] = time.monotonic
    opened_at: float | None = None  # None: closed
    probing: bool = False  # half-open, and the one attempt it lets through has not reported yet
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    @property
    def state(self) -> str:
        if self.opened_at is None:
            return CLOSED
        return HALF_OPEN if self.probing or self.clock() - self.opened_at >= self.cooldown else OPEN

    def allow(self) -> bool:
        """May the caller try the broker now? Closed: yes; open: no; half-open: the first caller only."""
        with self.lock:
            if self.opened_at is None:
                return True
            if self.clock() - self.opened_at < self.cooldown:
                return False
            self.opened_at = self.clock()  # the probe's own cool-down: no second caller meanwhile
            self.probing = True
            return True

    def success(self) -> None:
        with self.lock:
            self.opened_at, self.probing = None, False

    def failure(self) -> None:
        with self.lock:
            self.opened_at, self.probing = self.clock(), False
