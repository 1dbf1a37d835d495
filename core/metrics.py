"""Prometheus metrics: the counters every layer records into, and the text ``/metrics`` serves.

Any layer records through the small functions here (``record_rate_limit("authenticate",
"limited")``, ``record_key_exchange()``); an app whose numbers live in PostgreSQL
registers a collector that runs at scrape time (``register_collector``, from its
``AppConfig.ready``). Under gunicorn each worker is its own process: with
``PROMETHEUS_MULTIPROC_DIR`` set (``gunicorn.conf.py`` sees to it) every worker writes its
samples to files there and a scrape adds them up, whichever worker answers it.

Labels stay bounded: a request is counted by its route name (``api:repo-detail``, not
``/api/v1/repos/7``), an unknown method as ``other``.
"""

from __future__ import annotations

from functools import cache

from django.conf import settings
from django.http import HttpRequest
from prometheus_client import REGISTRY, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector
from prometheus_client.values import MutexValue, ValueClass

from core import caches

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
METHODS = frozenset({"GET", "HEAD", "OPTIONS", "POST", "PUT", "PATCH", "DELETE"})
UNMATCHED = "unmatched"
PREFLIGHT = "preflight"
STATIC = "static"
# Rate-limit outcomes: counted and let through, refused (429), revoked credential (401),
# Redis unavailable and let through (fail-open) or refused (fail-closed, 503).
RATE_LIMIT_OUTCOMES = ("allowed", "limited", "revoked", "fail-open", "fail-closed")

HTTP_REQUESTS = Counter(
    "apiservice_http_requests_total", "HTTP requests answered, by route name, method and status.",
    ["route", "method", "status"],
)  # fmt: skip
HTTP_LATENCY = Histogram(
    "apiservice_http_request_duration_seconds", "Time from the first middleware to the response, by route name.",
    ["route"], buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)  # fmt: skip
RATE_LIMIT_DECISIONS = Counter(
    "apiservice_rate_limit_decisions_total", "Rate-limit decisions, by scope and outcome.", ["scope", "outcome"]
)
KEY_EXCHANGES = Counter("apiservice_key_exchanges_total", "API keys traded for a JWT (POST /authenticate).")

_collectors: list[Collector] = []


def multiprocess() -> bool:
    """True when the samples are kept in ``PROMETHEUS_MULTIPROC_DIR`` (prometheus_client reads it once, at import)."""
    return ValueClass is not MutexValue


# The labelled children, looked up once per label set: ``labels()`` validates and locks on
# every call, a few microseconds each, on every request. The label sets are bounded (above).
_rate_limit_child = cache(RATE_LIMIT_DECISIONS.labels)
_request_child = cache(HTTP_REQUESTS.labels)
_latency_child = cache(HTTP_LATENCY.labels)


def _clear_children() -> None:
    for child in (_rate_limit_child, _request_child, _latency_child):
        child.cache_clear()


caches.register(
    "metric-children",
    holds="the labelled children of the request and rate-limit metrics",
    bound="one per label set: route names x methods x statuses, scopes x outcomes",
    invalidation="none needed: a child is the same object for the process's life",
    clear=_clear_children,
)


def record_rate_limit(scope: str, outcome: str) -> None:
    _rate_limit_child(scope, outcome).inc()


def record_key_exchange() -> None:
    KEY_EXCHANGES.inc()


def record_request(*, route: str, method: str, status: int, seconds: float) -> None:
    _request_child(route, method if method in METHODS else "other", str(status)).inc()
    _latency_child(route).observe(seconds)


def route_name(request: HttpRequest) -> str:
    """The resolved view's name (``repo-detail``, ``admin:index``); for a request no view
    answered: ``preflight`` (CORS), ``static`` (WhiteNoise) or ``unmatched`` (a 404)."""
    match = getattr(request, "resolver_match", None)
    if match is not None:
        return match.view_name or UNMATCHED
    if request.method == "OPTIONS" and "access-control-request-method" in request.headers:
        return PREFLIGHT
    if settings.STATIC_URL and request.path.startswith(str(settings.STATIC_URL)):
        return STATIC
    return UNMATCHED


def register_collector(collector: Collector) -> None:
    """Add a collector that runs on every scrape of ``/metrics`` (e.g. a query of the outbox).

    Kept apart from prometheus_client's global registry, so that nothing else triggers it.
    """
    if collector not in _collectors:
        _collectors.append(collector)


def unregister_collector(collector: Collector) -> None:
    if collector in _collectors:
        _collectors.remove(collector)


def exposition() -> bytes:
    """The Prometheus text format of every metric: this process's (or all workers') and the collectors'."""
    if multiprocess():
        base = CollectorRegistry()
        MultiProcessCollector(base)
    else:
        base = REGISTRY
    extra = CollectorRegistry(auto_describe=False)
    for collector in _collectors:
        extra.register(collector)
    return generate_latest(base) + generate_latest(extra)
