"""Django's request signals without the two receivers that can do nothing in this deployment.

Django's WSGI handler sends ``request_started`` and ``request_finished`` around every
request. Two of Django's receivers cost about 60,000 CPU instructions a request together
(3 % of a ``GET /repos/:name``, ``bench.profile detail --instructions``), mostly in
``asgiref.local.Local`` look-ups of the connections they loop over, and do nothing here:

- ``django.db.reset_queries`` empties each database connection's query log, which Django
  only writes with ``DEBUG`` on (or a debug cursor forced on, which is what
  ``CaptureQueriesContext`` does: it disconnects this same receiver itself while it counts);
- ``django.core.cache.close_caches`` calls ``close()`` on each cache in use, which is
  ``BaseCache.close``, a no-op, for Django's ``RedisCache`` and every backend that does
  not define its own (memcached's do).

On the fast path :func:`settle` disconnects each of them while that holds, with
``Signal.disconnect`` (public, and what ``CaptureQueriesContext`` does), and connects it
again when it stops holding: ``DEBUG`` on, a cache backend with a ``close()`` of its own,
or ``API_FAST_PATHS=0`` (the reference path: Django's receivers as Django connects them).
It runs when the ``core`` app is ready and again when one of those settings changes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core import signals
from django.core.cache import close_caches
from django.core.cache.backends.base import BaseCache
from django.db import reset_queries
from django.dispatch import Signal, receiver
from django.utils.module_loading import import_string

from core.conf import fast_paths

Receiver = tuple[Signal, Callable[..., Any]]
QUERY_LOG: Receiver = (signals.request_started, reset_queries)
CACHE_CLOSING: Receiver = (signals.request_finished, close_caches)
# what decides whether a receiver has anything to do
SETTINGS = frozenset({"API_FAST_PATHS", "DEBUG", "CACHES"})


def idle_receivers() -> list[Receiver]:
    """Django's request receivers that would do nothing in this configuration (none on the reference path)."""
    if not fast_paths():
        return []
    idle = []
    if not settings.DEBUG:  # the query log is written only with DEBUG (or a forced debug cursor)
        idle.append(QUERY_LOG)
    backends = [import_string(str(cache["BACKEND"])) for cache in settings.CACHES.values()]
    if all(backend.close is BaseCache.close for backend in backends):
        idle.append(CACHE_CLOSING)
    return idle


def settle() -> None:
    """Disconnect the idle receivers; connect the others (again), as Django does."""
    idle = idle_receivers()
    for signal, function in (QUERY_LOG, CACHE_CLOSING):
        if (signal, function) in idle:
            signal.disconnect(function)
        else:
            signal.connect(function)


@receiver(signals.setting_changed, dispatch_uid="core.request_signals")
def _settings_changed(*, setting: str, **kwargs: Any) -> None:
    if setting in SETTINGS:  # after core.conf forgot the switch: its receiver was connected first
        settle()
