"""The ``WEBHOOKS`` settings dict, read lazily.

WEBHOOKS = {"RETRY_SCHEDULE": [5, 300, 1800, 7200, 18000, 36000, 36000], ...}
"""

from __future__ import annotations

from functools import cache
from typing import Any

from django.conf import settings

from webhooks.ssrf import Network, parse_networks

DEFAULTS: dict[str, Any] = {
    "SIGNING_KEYS": "",  # "id:seed,id:seed", newest first (WEBHOOK_SIGNING_KEYS)
    # Seconds before each retry, in the spirit of Standard Webhooks: 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h.
    "RETRY_SCHEDULE": [5, 300, 1800, 7200, 18000, 36000, 36000],
    "RETRY_JITTER": 0.2,  # each delay varies by up to +-20 %
    "MAX_RETRY_AFTER": 86400,  # a receiver's Retry-After is honoured up to a day
    "DISABLE_AFTER_FAILURES": 5,  # consecutive failed deliveries that disable a subscription
    "CONNECT_TIMEOUT": 5.0,
    "TOTAL_TIMEOUT": 15.0,
    "MAX_RESPONSE_BYTES": 65536,
    "ALLOWED_NETWORKS": "",  # CIDRs an operator allows despite the SSRF guard
    "LEASE_SECONDS": 60,  # how long a worker owns an attempt before another may take it
    "SWEEP_INTERVAL": 15,  # seconds between sweeps for due deliveries
    "SWEEP_BATCH": 200,
}


def get(name: str) -> Any:
    return {**DEFAULTS, **getattr(settings, "WEBHOOKS", {})}[name]


@cache
def allowed_networks() -> list[Network]:
    return parse_networks(get("ALLOWED_NETWORKS"))
