"""The ``API_AUTH`` settings dict, typed and read lazily (see :mod:`core.conf`).

API_AUTH = {"KEY_HMAC_KEY": "...", "JWT_LIFETIME_SECONDS": 3600}

auth_settings().JWT_LIFETIME_SECONDS
"""

from __future__ import annotations

from dataclasses import dataclass

from core.conf import AppSettings


@dataclass(frozen=True)
class AuthSettings:
    KEY_PREFIX: str = "apisvc"  # secret scanners match "apisvc_<id>_<secret>"
    KEY_HMAC_KEY: str = ""  # server-side key of the keyed hash (API_KEY_HMAC_KEY)
    JWT_LIFETIME_SECONDS: int = 3600
    LAST_USED_RESOLUTION_SECONDS: int = 60  # last_used is written at most this often per key
    REVOCATION_PREFIX: str = "apiservice:revoked"
    # How long a process keeps a verified OAuth token's claims (revocation is checked by
    # the rate limiter on every request regardless; see auth/oauth/tokens.py).
    OAUTH_CLAIMS_CACHE_SECONDS: float = 30.0
    # How long an exchanged authorization code is remembered: presented again within this
    # time (with its PKCE verifier) it revokes the tokens it issued; later it is only refused.
    OAUTH_REDEEMED_CODE_SECONDS: int = 86400
    # django-ratelimit rate of the login and consent pages' POSTs, per client address.
    LOGIN_RATE: str = "10/m"


auth_settings = AppSettings("API_AUTH", AuthSettings)
