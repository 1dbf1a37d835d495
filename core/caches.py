"""Every cache a process keeps between requests, in one registry: what it holds, how large it
may grow and what empties it.

Nothing else is kept in a process between requests; each module that keeps something
registers it here, next to the cache::

    caches.register(
        "negotiation", holds="the renderer chosen per (format, Accept, renderer classes)",
        bound="512 answers, then emptied", invalidation="none needed: an answer depends only on its key",
        clear=_chosen.clear,
    )

docs/architecture.md lists them (a test checks that it lists every one), and the test
suite empties them all when a test changes settings they depend on.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class ProcessCache:
    name: str
    holds: str
    bound: str
    invalidation: str
    clear: Callable[[], None]


REGISTRY: dict[str, ProcessCache] = {}


def register(name: str, *, holds: str, bound: str, invalidation: str, clear: Callable[[], None]) -> None:
    """Declare a per-process cache (idempotent: a module imported again registers the same name)."""
    REGISTRY[name] = ProcessCache(name, holds, bound, invalidation, clear)


def clear_all() -> None:
    for cache in REGISTRY.values():
        cache.clear()
