"""What a process has already verified, kept briefly: a bounded, expiring dict.

Verifying a credential is pure work (a JWT's HMAC and claims) or one query (an OAuth
token's row); a client presents the same credential on request after request. Entries
expire on their own clock and the dict never grows past ``max_entries``. Revocation is
not cached here: the rate limiter checks the revocation markers on every request.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")


@dataclass(slots=True)
class Entry(Generic[T]):
    value: T
    fresh_until: float  # time.monotonic()
    touched_at: float | None = None  # when this process last recorded a use (monotonic)


class ExpiringCache(Generic[T]):
    """Values by key, each fresh for the seconds it was put with; at most ``max_entries``."""

    def __init__(self, max_entries: int = 10_000) -> None:
        self.entries: dict[str, Entry[T]] = {}
        self.max_entries = max_entries
        self.lock = threading.Lock()

    def get(self, key: str) -> Entry[T] | None:
        entry = self.entries.get(key)
        if entry is None or entry.fresh_until <= time.monotonic():
            return None
        return entry

    def put(self, key: str, value: T, seconds: float) -> Entry[T]:
        entry = Entry(value, time.monotonic() + seconds)
        with self.lock:
            if len(self.entries) >= self.max_entries:
                now = time.monotonic()
                self.entries = {k: e for k, e in self.entries.items() if e.fresh_until > now}
                if len(self.entries) >= self.max_entries:
                    self.entries.clear()
            self.entries[key] = entry
        return entry

    def clear(self) -> None:
        with self.lock:
            self.entries.clear()
