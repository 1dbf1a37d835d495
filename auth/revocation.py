"""Revocation markers in Redis: a JWT stays valid until ``exp`` unless its key (or user) is
marked here. The rate limiter checks a request's markers in the same round trip as its
limit (``Credential.revocation_keys``), so revocation costs no extra I/O and is seen by
every process at once.

OAuth access tokens carry three markers: their own (set when the token row is deleted:
revoked, rotated, or its application deleted), their application's and their user's."""

from __future__ import annotations

import logging

from oauth2_provider.settings import oauth2_settings

from auth.conf import auth_settings
from core.redis import get_redis

logger = logging.getLogger("auth.revocation")


def api_key_marker(api_key_id: int) -> str:
    return f"{auth_settings().REVOCATION_PREFIX}:apikey:{api_key_id}"


def user_marker(user_id: int) -> str:
    return f"{auth_settings().REVOCATION_PREFIX}:user:{user_id}"


def oauth_token_marker(token_id: int) -> str:
    return f"{auth_settings().REVOCATION_PREFIX}:oauth-token:{token_id}"


def oauth_app_marker(application_id: int) -> str:
    return f"{auth_settings().REVOCATION_PREFIX}:oauth-app:{application_id}"


def markers_for(*, api_key_id: int, user_id: int) -> tuple[str, str]:
    return api_key_marker(api_key_id), user_marker(user_id)


def marker_lifetime() -> int:
    """Seconds a marker must outlive its setting: the longest a JWT or OAuth token minted before can live."""
    return max(int(auth_settings().JWT_LIFETIME_SECONDS), int(oauth2_settings.ACCESS_TOKEN_EXPIRE_SECONDS)) + 60


def mark_revoked(marker: str) -> None:
    """Set ``marker`` for as long as any JWT or OAuth access token minted before now can live.

    Raises on a Redis outage: the caller's transaction must not commit a revocation that
    the running tokens would not see.
    """
    get_redis().set(marker, "1", ex=marker_lifetime())


def clear_marker(marker: str) -> None:
    get_redis().delete(marker)
