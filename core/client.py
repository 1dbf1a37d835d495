"""The client's address (§5.6): REMOTE_ADDR, or the right entry of X-Forwarded-For.

With ``API_TRUSTED_PROXIES = n`` proxies in front, the n-th address from the right of
``X-Forwarded-For`` is the client (each proxy appends the address it saw); anything a
client puts further left is ignored, so it cannot choose its own address.
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache
from typing import Any

from django.conf import settings

from core import caches


@lru_cache(maxsize=4096)  # a client sends many requests from one address: parse it once
def canonical(text: str) -> str | None:
    """One spelling per address, so one client has one rate-limit bucket: IPv6 compressed and
    lower-case, an IPv4-mapped IPv6 address as the IPv4 it carries (``::ffff:1.2.3.4`` ->
    ``1.2.3.4``, the same on every Python version). None for anything that is not an address."""
    try:
        address = ipaddress.ip_address(text.strip())
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return str(address.ipv4_mapped)
    return str(address)


caches.register(
    "client-addresses",
    holds="each client address in its one spelling (canonical)",
    bound="4,096 addresses, least recently used first out",
    invalidation="none needed: an address's spelling never changes",
    clear=canonical.cache_clear,
)

CLIENT_IP = "apiservice.client_ip"  # the answer, kept in the request's environ


def client_ip(request: Any) -> str:
    meta = request.META
    known: str | None = meta.get(CLIENT_IP)
    if known is None:
        known = meta[CLIENT_IP] = _client_ip(meta)
    return known


def _client_ip(meta: Any) -> str:
    remote = canonical(meta.get("REMOTE_ADDR") or "") or "0.0.0.0"
    proxies: int = settings.API_TRUSTED_PROXIES
    if proxies <= 0:
        return remote
    hops = [hop.strip() for hop in meta.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
    if len(hops) < proxies:
        return remote
    return canonical(hops[-proxies]) or remote
