"""The ``API_AUTH`` settings dict, read lazily (never at import time).

API_AUTH = {"JWT_LIFETIME_SECONDS": 3600, "KEY_PREFIX": "apisvc", ...}
"""

from __future__ import annotations

from typing import Any

from django.conf import settings

DEFAULTS: dict[str, Any] = {
    "KEY_PREFIX": "apisvc",  # secret scanners match "apisvc_<id>_<secret>"
    "KEY_HMAC_KEY": "",  # server-side key of the keyed hash; see settings.API_KEY_HMAC_KEY
    "JWT_LIFETIME_SECONDS": 3600,
    "LAST_USED_RESOLUTION_SECONDS": 60,  # last_used is written at most this often per key
    "REVOCATION_PREFIX": "apiservice:revoked",
}


def get(name: str) -> Any:
    return {**DEFAULTS, **getattr(settings, "API_AUTH", {})}[name]
