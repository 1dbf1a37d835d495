"""OAuth access tokens as API credentials, as cheap to verify as a JWT once seen.

Token texts carry a recognisable prefix (``apisvc_oat_<secret>`` for access tokens,
``apisvc_ort_<secret>`` for refresh tokens) so the middleware knows what it holds without a
lookup, secret scanners can match them, and the log filter's ``apisvc_*`` rule masks them.
django-oauth-toolkit stores only their SHA-256 (``token_checksum``; the ``token`` column is
blank with ``COMPLIANT_BCP_RFC9700_TOKEN_STORAGE``). An unkeyed hash is enough here: the
secret part is 40 random characters (about 238 bits), so a leaked table cannot be
brute-forced back to tokens, unlike the short human-chosen inputs that need a keyed hash.

The hot path (every request with an OAuth token):

- first time a process sees a token: one indexed query (token, user and application
  joined) and the claims are kept in this process for ``OAUTH_CLAIMS_CACHE_SECONDS``;
- afterwards: no SQL. Revocation is not checked here but by the rate limiter's single
  EVALSHA, which looks at the token's, its application's and its user's markers
  (``Credential.revocation_keys``), set when a token or application row is deleted or a
  user deactivated (:mod:`auth.signals`). So a cached token is refused on every process
  within the same request as its revocation.

    >>> is_access_token("apisvc_oat_" + "a" * 40)
    True
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.utils import timezone
from oauth2_provider.models import get_access_token_model
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from accounts.services import audit_log_record_use
from auth import keytext, revocation
from auth.conf import auth_settings
from auth.credentials import Credential
from auth.memo import ExpiringCache
from auth.principal import TokenUser
from auth.scopes import ALL_SCOPES
from core import caches
from core.conf import fast_paths
from core.redis import get_redis

ACCESS_MARK = "oat"
REFRESH_MARK = "ort"
SECRET_LENGTH = 40
KNOWN_SCOPES = frozenset(ALL_SCOPES)
USED_PREFIX = "apiservice:oauth:used"  # a token whose use was audited in the last minute


def _text(mark: str) -> str:
    return f"{auth_settings().KEY_PREFIX}_{mark}_{keytext.random_text(SECRET_LENGTH)}"


def access_token_text(request: Any = None) -> str:
    """django-oauth-toolkit's ``ACCESS_TOKEN_GENERATOR``."""
    return _text(ACCESS_MARK)


def refresh_token_text(request: Any = None) -> str:
    """django-oauth-toolkit's ``REFRESH_TOKEN_GENERATOR``."""
    return _text(REFRESH_MARK)


def is_access_token(text: str) -> bool:
    return text.startswith(f"{auth_settings().KEY_PREFIX}_{ACCESS_MARK}_")


def checksum(text: str) -> str:
    """What django-oauth-toolkit stores and looks tokens up by (``token_checksum``)."""
    return hashlib.sha256(text.encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class Claims:
    token_id: int
    user_id: int
    username: str
    application_id: int
    client_id: str
    scopes: frozenset[str]
    expires: datetime


CACHE: ExpiringCache[Claims] = ExpiringCache()
# While Redis is unavailable: token id -> when this process last audited the token's use
# (emptied once Redis answers again).
USED_WITHOUT_REDIS: dict[int, float] = {}
caches.register(
    "oauth-claims",
    holds="the claims of OAuth access tokens this process looked up, by checksum",
    bound=f"{CACHE.max_entries:,} tokens, each for OAUTH_CLAIMS_CACHE_SECONDS",
    invalidation="expiry; revocation is not cached (the rate limiter checks the markers on every request)",
    clear=CACHE.clear,
)
caches.register(
    "oauth-used-without-redis",
    holds="while Redis is unavailable, when this process last audited each OAuth token's use",
    bound="the tokens used during one outage; emptied once Redis answers again",
    invalidation="Redis answering (the shared once-a-minute marker takes over)",
    clear=USED_WITHOUT_REDIS.clear,
)


def token_markers(claims: Claims) -> tuple[str, ...]:
    return (
        revocation.oauth_token_marker(claims.token_id),
        revocation.oauth_app_marker(claims.application_id),
        revocation.user_marker(claims.user_id),
    )


def _load(digest: str) -> Claims | None:
    row = (
        get_access_token_model()
        .objects.filter(token_checksum=digest)
        .values(
            "id",
            "user_id",
            "user__username",
            "user__is_active",
            "application_id",
            "application__client_id",
            "scope",
            "expires",
        )
        .first()
    )
    if row is None or row["user_id"] is None or row["application_id"] is None or not row["user__is_active"]:
        return None
    return Claims(
        token_id=row["id"],
        user_id=row["user_id"],
        username=row["user__username"],
        application_id=row["application_id"],
        client_id=row["application__client_id"],
        scopes=frozenset(row["scope"].split()) & KNOWN_SCOPES,
        expires=row["expires"],
    )


def oauth_token_verify(text: str) -> tuple[TokenUser, Credential] | str:
    """The user and credential of an OAuth access token, or why it is refused.

    No I/O when this process verified the token in the last ``OAUTH_CLAIMS_CACHE_SECONDS``.
    """
    digest = checksum(text)
    entry = CACHE.get(digest) if fast_paths() else None
    if entry is None:
        claims = _load(digest)
        if claims is None:
            return "unknown or revoked OAuth token"
        entry = CACHE.put(digest, claims, auth_settings().OAUTH_CLAIMS_CACHE_SECONDS)
    claims = entry.value
    if claims.expires <= timezone.now():
        return "OAuth token expired"
    credential = Credential(
        kind="oauth",
        user_id=claims.user_id,
        api_key_id=0,
        scopes=claims.scopes,
        revocation_keys=token_markers(claims),
        oauth_token_id=claims.token_id,
        oauth_digest=digest,
        oauth_application_id=claims.application_id,
    )
    return TokenUser(claims.user_id, claims.username), credential


def oauth_token_touch(*, credential: Credential, ip: str | None) -> None:
    """Audit the token's use at most once a minute per token, across processes.

    A process asks Redis (``SET NX EX``) only when its own note is a minute old, so the
    steady state costs nothing; of several processes, the one whose SET wins writes the entry.
    With Redis unavailable the request goes on, and each process audits the use once a minute.
    """
    entry = CACHE.get(credential.oauth_digest) if credential.oauth_digest else None
    if entry is None:
        return
    resolution = auth_settings().LAST_USED_RESOLUTION_SECONDS
    now = time.monotonic()
    if entry.touched_at is not None and now - entry.touched_at < resolution:
        return
    entry.touched_at = now
    claims = entry.value
    marker = f"{USED_PREFIX}:{claims.token_id}"
    try:
        first = bool(get_redis().set(marker, "1", nx=True, ex=resolution))
    except (RedisConnectionError, RedisTimeoutError):  # Redis away: this process keeps the minute
        last = USED_WITHOUT_REDIS.get(claims.token_id)
        first = last is None or now - last >= resolution
        if first:
            USED_WITHOUT_REDIS[claims.token_id] = now
    else:
        if USED_WITHOUT_REDIS:
            USED_WITHOUT_REDIS.clear()
    if first:
        audit_log_record_use(
            user_id=claims.user_id,
            action="oauth-token:use",
            ip=ip,
            details=f"token {claims.token_id} of {claims.client_id}",
        )
