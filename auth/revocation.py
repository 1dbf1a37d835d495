"""Revocation markers in Redis: a JWT stays valid until ``exp`` unless its key (or user) is
marked here. The rate limiter checks a request's markers in the same round trip as its
limit (``Credential.revocation_keys``), so revocation costs no extra I/O and is seen by
every process at once."""

from __future__ import annotations

import logging

from apiservice.api.redis import get_redis
from auth.conf import auth_settings

logger = logging.getLogger("auth.revocation")


def api_key_marker(api_key_id: int) -> str:
    return f"{auth_settings().REVOCATION_PREFIX}:apikey:{api_key_id}"


def user_marker(user_id: int) -> str:
    return f"{auth_settings().REVOCATION_PREFIX}:user:{user_id}"


def markers_for(*, api_key_id: int, user_id: int) -> tuple[str, str]:
    return api_key_marker(api_key_id), user_marker(user_id)


def mark_revoked(marker: str) -> None:
    """Set ``marker`` for as long as any JWT minted before now can live.

    Raises on a Redis outage: the caller's transaction must not commit a revocation that
    the running JWTs would not see.
    """
    get_redis().set(marker, "1", ex=int(auth_settings().JWT_LIFETIME_SECONDS) + 60)


def clear_marker(marker: str) -> None:
    get_redis().delete(marker)
