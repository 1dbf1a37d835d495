"""``GET /metrics``: the Prometheus text format, for the monitoring system only.

Answered for a client address inside ``METRICS_ALLOWED_NETWORKS`` (loopback by default;
the address is the one the rate limits use, so a proxy in front cannot widen it) or a
request carrying ``Authorization: Bearer <METRICS_TOKEN>``; anyone else gets the same 404
as an unknown path, so the endpoint does not advertise itself::

    curl -s http://127.0.0.1:8000/metrics | grep apiservice_http_requests_total
    curl -s https://api.example.org/metrics -H "Authorization: Bearer $METRICS_TOKEN"
"""

from __future__ import annotations

import hmac
import ipaddress
from functools import lru_cache

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed

from core import caches, metrics
from core.client import client_ip

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=8)
def _networks(spec: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(item, strict=False) for item in spec)


caches.register(
    "metrics-networks",
    holds="METRICS_ALLOWED_NETWORKS, parsed",
    bound="8 settings values",
    invalidation="keyed by the setting's value, so a changed setting is a new entry",
    clear=_networks.cache_clear,
)


def address_allowed(address: str, networks: tuple[str, ...]) -> bool:
    """``address_allowed("127.0.0.1", ("127.0.0.0/8",))`` -> True; an unparsable address is never allowed."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return any(ip in network for network in _networks(networks))


def token_allowed(request: HttpRequest, token: str) -> bool:
    """A configured token presented as ``Bearer``, compared in constant time."""
    if not token:
        return False
    scheme, _, presented = request.headers.get("Authorization", "").partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(presented.strip().encode(), token.encode())


def metrics_view(request: HttpRequest) -> HttpResponse:
    allowed = address_allowed(client_ip(request), tuple(settings.METRICS_ALLOWED_NETWORKS))
    if not (allowed or token_allowed(request, settings.METRICS_TOKEN)):
        raise Http404
    if request.method not in ("GET", "HEAD"):
        return HttpResponseNotAllowed(["GET", "HEAD"])
    return HttpResponse(metrics.exposition(), content_type=metrics.CONTENT_TYPE)
