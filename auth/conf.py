"""The ``API_AUTH`` settings dict, typed and read lazily (see :mod:`core.conf`).

API_AUTH = {"KEY_HMAC_KEY": "...", "JWT_LIFETIME_SECONDS": 3600}

auth_settings().JWT_LIFETIME_SECONDS
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from core.conf import AppSettings
from core.env import env_int


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


def from_env(*, key_hmac_key: str) -> dict[str, Any]:
    """``settings.API_AUTH`` from the environment; the secret comes from the wiring."""
    return {
        "KEY_HMAC_KEY": key_hmac_key,
        "JWT_LIFETIME_SECONDS": env_int("JWT_LIFETIME_SECONDS", default=AuthSettings.JWT_LIFETIME_SECONDS),
    }


def simple_jwt(*, signing_key: str, lifetime_seconds: int) -> dict[str, Any]:
    """simplejwt's ``SIMPLE_JWT``: HS256 with its own key (not ``SECRET_KEY``), the claims §2.5 names."""
    return {
        "SIGNING_KEY": signing_key,
        "ALGORITHM": "HS256",
        "ACCESS_TOKEN_LIFETIME": timedelta(seconds=lifetime_seconds),
        "USER_ID_FIELD": "id",
        "USER_ID_CLAIM": "user_id",
        "UPDATE_LAST_LOGIN": False,
        "AUTH_HEADER_TYPES": ("Bearer", "token"),
    }


def oauth2_provider(*, lifetime_seconds: int, http_redirect_uris: bool) -> dict[str, Any]:
    """django-oauth-toolkit's ``OAUTH2_PROVIDER``: authorization code + PKCE (S256 only), rotating
    refresh tokens, tokens stored as SHA-256 checksums only (auth/oauth/, docs/authentication.md).
    ``http_redirect_uris``: plain-http redirect URIs (RFC 8252 loopback callbacks, Swagger UI on a
    local stack), which RFC 9700 §2.1 refuses in production unless an operator allows them."""
    return {
        "SCOPES_BACKEND_CLASS": "auth.oauth.scopes.ApiScopes",
        "OAUTH2_VALIDATOR_CLASS": "auth.oauth.validator.Validator",
        "OAUTH2_SERVER_CLASS": "auth.oauth.validator.Server",  # PKCE S256 checked before the consent page
        "ACCESS_TOKEN_GENERATOR": "auth.oauth.tokens.access_token_text",
        "REFRESH_TOKEN_GENERATOR": "auth.oauth.tokens.refresh_token_text",
        "ACCESS_TOKEN_EXPIRE_SECONDS": lifetime_seconds,
        "AUTHORIZATION_CODE_EXPIRE_SECONDS": 60,
        "PKCE_REQUIRED": True,
        "ROTATE_REFRESH_TOKEN": True,
        "REFRESH_TOKEN_REUSE_PROTECTION": True,
        # urn: only the OOB URI (auth/oauth/serializers.py); http only where allowed
        "ALLOWED_REDIRECT_URI_SCHEMES": ["http", "https", "urn"] if http_redirect_uris else ["https", "urn"],
        "COMPLIANT_BCP_RFC9700_PKCE_METHOD": True,
        "COMPLIANT_BCP_RFC9700_TOKEN_STORAGE": True,
        "COMPLIANT_BCP_RFC9700_IMPLICIT_GRANT": True,
        "COMPLIANT_BCP_RFC9700_PASSWORD_GRANT": True,
        "COMPLIANT_BCP_RFC9700_ACCESS_TOKEN_TRANSPORT": True,  # never an access token in a query string
        "COMPLIANT_BCP_RFC9700_AUTHZ_RESPONSE_ISS": True,  # RFC 9207: the redirect names its issuer
        "OAUTH2_GRANT_TYPES_SUPPORTED": ["authorization_code", "refresh_token"],
        "OAUTH2_RESPONSE_TYPES_SUPPORTED": ["code"],
        "OAUTH2_TOKEN_ENDPOINT_AUTH_METHODS_SUPPORTED": ["client_secret_basic", "client_secret_post", "none"],
    }
