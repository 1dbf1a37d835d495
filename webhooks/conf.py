"""The ``WEBHOOKS`` settings dict, typed and read lazily (see :mod:`core.conf`).

WEBHOOKS = {"RETRY_SCHEDULE": [5, 300, 1800, 7200, 18000, 36000, 36000], ...}

webhook_settings().TOTAL_TIMEOUT
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from django.core.exceptions import ImproperlyConfigured

from core.conf import AppSettings
from core.env import env_float, env_int, env_int_list, env_str
from webhooks.ssrf import Network, parse_networks


@dataclass(frozen=True)
class WebhookSettings:
    SIGNING_KEYS: str = ""  # "id:seed,id:seed", newest first (WEBHOOK_SIGNING_KEYS)
    # Seconds before each retry, in the spirit of Standard Webhooks: 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h.
    RETRY_SCHEDULE: Sequence[int] = field(default=(5, 300, 1800, 7200, 18000, 36000, 36000))
    RETRY_JITTER: float = 0.2  # each delay varies by up to +-20 %
    MAX_RETRY_AFTER: int = 86400  # a receiver's Retry-After is honoured up to a day
    DISABLE_AFTER_FAILURES: int = 5  # consecutive failed deliveries that disable a subscription
    CONNECT_TIMEOUT: float = 5.0
    TOTAL_TIMEOUT: float = 15.0
    MAX_RESPONSE_BYTES: int = 65536
    ALLOWED_NETWORKS: str = ""  # CIDRs an operator allows despite the SSRF guard
    LEASE_SECONDS: int = 60  # how long a worker owns an attempt before another may take it
    MAX_IN_FLIGHT: int = 100  # deliveries one worker process keeps in flight at once
    MAX_IN_FLIGHT_PER_ORIGIN: int = 4  # of which at most this many to one endpoint (scheme://host:port)
    BREAKER_THRESHOLD: int = 3  # connection failures or timeouts in a row that open an endpoint's breaker
    PUMP_SECONDS: int = 60  # how long one task keeps sending before handing over to a new one
    SWEEP_INTERVAL: int = 15  # seconds between sweeps for due deliveries
    SWEEP_BATCH: int = 200

    @cached_property
    def allowed_networks(self) -> list[Network]:
        try:
            return parse_networks(self.ALLOWED_NETWORKS)
        except ValueError as exc:
            raise ImproperlyConfigured(str(exc)) from exc


webhook_settings = AppSettings("WEBHOOKS", WebhookSettings)


def from_env(*, signing_keys: str) -> dict[str, Any]:
    """``settings.WEBHOOKS`` from the environment; ``signing_keys`` is the wiring's (in embedded
    mode the local key, else ``WEBHOOK_SIGNING_KEYS``)."""
    defaults = WebhookSettings()
    return {
        "SIGNING_KEYS": signing_keys,
        "ALLOWED_NETWORKS": env_str("WEBHOOK_ALLOWED_NETWORKS", default=""),
        "RETRY_SCHEDULE": env_int_list("WEBHOOK_RETRY_SCHEDULE", default=",".join(map(str, defaults.RETRY_SCHEDULE))),
        "DISABLE_AFTER_FAILURES": env_int("WEBHOOK_DISABLE_AFTER_FAILURES", default=defaults.DISABLE_AFTER_FAILURES),
        "CONNECT_TIMEOUT": env_float("WEBHOOK_CONNECT_TIMEOUT", default=defaults.CONNECT_TIMEOUT),
        "TOTAL_TIMEOUT": env_float("WEBHOOK_TOTAL_TIMEOUT", default=defaults.TOTAL_TIMEOUT),
        "SWEEP_INTERVAL": env_int("WEBHOOK_SWEEP_INTERVAL", default=defaults.SWEEP_INTERVAL),
        "LEASE_SECONDS": env_int("WEBHOOK_LEASE_SECONDS", default=defaults.LEASE_SECONDS),
        "MAX_IN_FLIGHT": env_int("WEBHOOK_MAX_IN_FLIGHT", default=defaults.MAX_IN_FLIGHT),
        "MAX_IN_FLIGHT_PER_ORIGIN": env_int(
            "WEBHOOK_MAX_IN_FLIGHT_PER_ORIGIN", default=defaults.MAX_IN_FLIGHT_PER_ORIGIN
        ),
        "BREAKER_THRESHOLD": env_int("WEBHOOK_BREAKER_THRESHOLD", default=defaults.BREAKER_THRESHOLD),
        "PUMP_SECONDS": env_int("WEBHOOK_PUMP_SECONDS", default=defaults.PUMP_SECONDS),
    }
