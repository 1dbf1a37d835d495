"""The client's address (§5.6): REMOTE_ADDR, or the right entry of X-Forwarded-For.

With ``API_TRUSTED_PROXIES = n`` proxies in front, the n-th address from the right of
``X-Forwarded-For`` is the client (each proxy appends the address it saw); anything a
client puts further left is ignored, so it cannot choose its own address.
"""

from __future__ import annotations

import ipaddress
from typing import Any

from django.conf import settings


def client_ip(request: Any) -> str:
    meta = request.META
    remote = meta.get("REMOTE_ADDR") or "0.0.0.0"
    proxies: int = settings.API_TRUSTED_PROXIES
    if proxies <= 0:
        return remote
    hops = [hop.strip() for hop in meta.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
    if len(hops) < proxies:
        return remote
    candidate = hops[-proxies]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote
