"""Outages of a backing service, as the logs and metrics tell them (§1.8, docs/operations.md).

An unreachable PostgreSQL, Redis or broker is not a bug: requests that need it are answered
``503`` with ``Retry-After`` (or, for the rate limiter, let through), and each process says so
**once** when the outage starts and once when it ends, instead of once per request::

    WARNING apiservice.outages database unavailable (OperationalError: connection refused); answering 503 until it is back
    WARNING apiservice.outages database is back after 4.2 s; 3740 requests were answered 503 meanwhile

``apiservice_outage_responses_total{service}`` counts the 503s. A service is back when it is
used successfully again: a new database connection (Django's ``connection_created``), a rate
limiter round trip, a task handed to the broker.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field

from django.db import InterfaceError, OperationalError
from prometheus_client import Counter
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger("apiservice.outages")

OUTAGE_RESPONSES = Counter(
    "apiservice_outage_responses_total", "Requests answered 503 because a backing service was unavailable.", ["service"]
)

DATABASE, REDIS, BROKER = "database", "redis", "broker"


def service_of(exc: BaseException) -> str | None:
    """Which backing service ``exc`` says is unavailable, or None when it is not an outage."""
    if isinstance(exc, OperationalError | InterfaceError):
        return DATABASE
    if isinstance(exc, RedisConnectionError | RedisTimeoutError):
        return REDIS
    try:
        from kombu.exceptions import OperationalError as BrokerError
    except ImportError:  # pragma: no cover - Celery is always installed
        return None
    return BROKER if isinstance(exc, BrokerError) else None


@dataclass
class Outage:
    since: float
    error: str
    refused: int = field(default=0)  # requests answered 503 meanwhile


class Outages:
    """This process's view of which services are down; thread-safe, cheap when nothing is."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._down: dict[str, Outage] = {}

    def failed(self, service: str, exc: BaseException, *, refused: bool, consequence: str = "") -> None:
        """A request found ``service`` down; ``refused``: it was answered 503 for it."""
        with self._lock:
            outage = self._down.get(service)
            started = outage is None
            if outage is None:
                outage = self._down[service] = Outage(time.monotonic(), f"{type(exc).__name__}: {exc}".strip())
            if refused:
                outage.refused += 1
        if refused:
            OUTAGE_RESPONSES.labels(service).inc()
        if started:
            logger.warning(
                "%s unavailable (%s); %s", service, outage.error[:200], consequence or "answering 503 until it is back"
            )

    def recovered(self, service: str) -> None:
        """``service`` answered again: say so once, with how long it was gone and what it cost."""
        if service not in self._down:  # the usual case: one dict lookup, no lock
            return
        with self._lock:
            outage = self._down.pop(service, None)
        if outage is not None:
            logger.warning(
                "%s is back after %.1f s; %d requests were answered 503 meanwhile",
                service, time.monotonic() - outage.since, outage.refused,
            )  # fmt: skip

    def down(self) -> frozenset[str]:
        return frozenset(self._down)


OUTAGES = Outages()
