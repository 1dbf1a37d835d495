"""Credential flows (§2): issuing and revoking API keys, verifying them, minting JWTs."""

from __future__ import annotations

import hashlib
import hmac
import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone
from oauth2_provider.models import get_access_token_model, get_application_model
from rest_framework_simplejwt import state as jwt_state
from rest_framework_simplejwt.exceptions import TokenError
from rest_framework_simplejwt.settings import api_settings as jwt_settings
from rest_framework_simplejwt.tokens import AccessToken

from accounts.services import audit_log_record
from auth import jws, keytext, revocation
from auth.conf import auth_settings
from auth.credentials import Credential
from auth.memo import ExpiringCache
from auth.models import ApiKey
from auth.oauth.tokens import is_access_token, oauth_token_verify
from auth.principal import TokenUser
from auth.scopes import ALL, covers, parse_scopes
from auth.selectors import RecordedUse, api_key_for_exchange, api_key_with_user
from core import caches
from core.conf import fast_paths
from core.errors import AuthenticationError, ForbiddenError

# JWT claims (beside simplejwt's exp, iat, jti, token_type and user_id)
CLAIM_KEY = "api_key_id"
CLAIM_SCOPES = "scopes"
CLAIM_USERNAME = "username"

EXCHANGE_ACTION = "api-key:authenticate"  # the audit entry of a key-to-JWT exchange


class InvalidCredential(AuthenticationError):
    """The presented credential is unknown, malformed, expired, revoked or its user inactive (401).

    The message is safe to show to the client; it never contains the credential.
    """

    def __init__(self, reason: str) -> None:
        super().__init__(None, reason)


class ScopeEscalation(ForbiddenError):
    """A credential tried to mint a key with scopes it does not hold itself (403)."""

    def __init__(self, reason: str) -> None:
        super().__init__("scopes", reason)


@dataclass(frozen=True)
class IssuedKey:
    api_key: ApiKey
    secret: str  # the full key text; shown once, never stored


@dataclass(frozen=True)
class IssuedToken:
    token: str
    expires_in_ms: int


def api_key_create(
    *,
    user: Any,
    name: str,
    scopes: list[str],
    expires: datetime | None = None,
    ip: str | None = None,
    creator: Credential | None = None,
) -> IssuedKey:
    """Create a key for ``user``; ``creator`` (the calling credential) bounds the new scopes.

    A key created with an OAuth access token, or with a key that was, records the token's
    application and dies with the user's grant of it (SPEC §2.8, :func:`api_key_delete_minted`).
    Operators (admin, management commands) pass ``creator=None``: no bound, no origin.
    """
    requested = parse_scopes(scopes)
    if creator is not None and not covers(creator.scopes, requested):
        raise ScopeEscalation("a new key's scopes may not exceed those of the credential creating it")
    identifier = keytext.random_text(keytext.IDENTIFIER_LENGTH)
    secret = keytext.random_text(keytext.SECRET_LENGTH)
    with transaction.atomic():
        api_key = ApiKey.objects.create(
            user=user,
            name=name,
            identifier=identifier,
            secret_hash=keytext.secret_hash(auth_settings().KEY_HMAC_KEY, secret),
            scopes=sorted(requested),
            expires=expires,
            oauth_application_id=_minted_through(creator) if creator is not None else None,
        )
        audit_log_record(user_id=user.pk, action="api-key:create", ip=ip, details=f"{name} ({identifier})")
    return IssuedKey(api_key=api_key, secret=keytext.key_text(auth_settings().KEY_PREFIX, identifier, secret))


def _minted_through(creator: Credential) -> int | None:
    """The OAuth application whose grant a key made by ``creator`` is minted through, if any.

    An access token's application, or the creating key's (or its JWT's key's) own origin,
    inherited: a key made with a minted key dies with the same grant; a signed-in person's
    (the portal's, the browsable API's session) is minted through nothing. Under the
    application's lock, held until the caller's transaction ends, the creator is looked
    up again: a withdrawal takes the same lock before it deletes the minted keys, so the
    new key is either seen and deleted by it, or refused here because the creator is gone.
    """
    if creator.kind == "session":
        return None
    if creator.kind == "oauth":
        rows: Any = get_access_token_model().objects.filter(pk=creator.oauth_token_id)
        origin = "application_id"
    else:
        rows = ApiKey.objects.filter(pk=creator.api_key_id)
        origin = "oauth_application_id"
    found = list(rows.values_list(origin, flat=True))
    if found and found[0] is None:
        return None
    if not found or not oauth_application_lock(application_id=found[0]) or not rows.exists():
        raise InvalidCredential("the credential creating this key was revoked")
    return found[0]


def app_token_create(*, user: Any, title: str, ip: str | None = None, creator: Credential) -> IssuedKey:
    """Quay's app token: an API key titled ``title`` with the creating credential's scopes (an
    app token acts as the user; a signed-in person holds every scope). Named by its ``uuid``."""
    return api_key_create(user=user, name=title, scopes=sorted(creator.scopes), ip=ip, creator=creator)


def oauth_application_lock(*, application_id: int) -> bool:
    """Lock the application's row until the transaction ends; False if it no longer exists.

    Minting a key through an application's grant and deleting the keys minted through it
    take this lock first (``FOR NO KEY UPDATE``: tokens issued meanwhile, which only
    reference the row, are not held up).
    """
    application = get_application_model().objects.select_for_update(no_key=True).filter(pk=application_id)
    return bool(list(application.values_list("pk", flat=True)))


def api_key_delete(*, api_key: ApiKey, ip: str | None = None, reason: str = "") -> None:
    """Delete the key; every JWT minted from it fails from now on, on every process.

    ``reason`` ends the audit entry's details when the user did not delete the key themselves.
    """
    with transaction.atomic():
        audit_log_record(
            user_id=api_key.user_id,
            action="api-key:delete",
            ip=ip,
            details=f"{api_key.name} ({api_key.identifier})" + (f": {reason}" if reason else ""),
        )
        key_id = api_key.pk
        api_key.delete()
        # Inside the transaction: if Redis is down the delete rolls back (and the client
        # gets a 503) rather than leaving live JWTs for a key reported deleted.
        revocation.mark_revoked(revocation.api_key_marker(key_id))


def api_key_delete_minted(
    *, application_id: int, user_id: int | None = None, ip: str | None = None, reason: str
) -> int:
    """Delete the keys minted through a grant that ended (SPEC §2.8); how many.

    The grant is a user's authorization of an application: ``user_id``'s keys minted through
    ``application_id``, or every user's when the application itself goes. Each is audited
    (``api-key:delete``, ``reason`` in the details) and its JWTs revoked, as :func:`api_key_delete`.
    """
    with transaction.atomic():
        oauth_application_lock(application_id=application_id)
        minted = ApiKey.objects.filter(oauth_application_id=application_id)
        if user_id is not None:
            minted = minted.filter(user_id=user_id)
        keys = list(minted)
        for api_key in keys:
            api_key_delete(api_key=api_key, ip=ip, reason=reason)
    return len(keys)


def api_key_verify(text: str, *, record_use: tuple[str, str | None] | None = None) -> ApiKey:
    """The active key whose text is ``text`` (one indexed query, user joined); else InvalidCredential.

    ``record_use=(action, ip)`` writes that audit entry for a good key in the same statement.
    """
    parts = keytext.split_key(text, auth_settings().KEY_PREFIX)
    if parts is None:
        raise InvalidCredential("malformed API key")
    identifier, secret = parts
    presented = keytext.secret_hash(auth_settings().KEY_HMAC_KEY, secret)
    now = timezone.now()
    if record_use is None:
        api_key = api_key_with_user(identifier)
    else:
        api_key = api_key_for_exchange(identifier, record_use=RecordedUse(*record_use, presented, now))
    # Compare even when no row matched, so timing does not tell which identifiers exist.
    stored = api_key.secret_hash if api_key is not None else "0" * 64
    if not hmac.compare_digest(presented, stored) or api_key is None:
        raise InvalidCredential("unknown or revoked API key")
    if api_key.is_expired(now):
        raise InvalidCredential("API key expired")
    if not api_key.user.is_active:
        raise InvalidCredential("user is inactive")
    return api_key


def api_key_exchange(*, text: str, ip: str | None) -> IssuedToken:
    """Hangar's exchange: verify the key and mint a JWT, audited, in one SQL round trip."""
    api_key = api_key_verify(text, record_use=(EXCHANGE_ACTION, ip))
    return _jwt_for(api_key)


def api_key_touch(*, api_key: ApiKey, ip: str | None) -> None:
    """Record use of the key: ``last_used`` and an audit entry, at most once a minute per key."""
    now = timezone.now()
    resolution = timedelta(seconds=auth_settings().LAST_USED_RESOLUTION_SECONDS)
    if api_key.last_used is not None and now - api_key.last_used < resolution:
        return
    with transaction.atomic():
        # Conditional: of several processes seeing the same stale value, one writes.
        updated = (
            ApiKey.objects.filter(pk=api_key.pk, last_used=api_key.last_used)
            .exclude(last_used__gt=now - resolution)
            .update(last_used=now)
        )
        if updated:
            audit_log_record(user_id=api_key.user_id, action="api-key:use", ip=ip, details=api_key.identifier)
    api_key.last_used = now


def credential_for_key(api_key: ApiKey) -> Credential:
    return Credential(kind="apikey", user_id=api_key.user_id, api_key_id=api_key.pk, scopes=frozenset(api_key.scopes))


def _jwt_for(api_key: ApiKey) -> IssuedToken:
    """A JWT for the key's user and scopes, expiring with the key if it expires sooner.

    The claims are what simplejwt's ``AccessToken`` holds (``token_type``, ``exp``, ``iat``,
    ``jti``, ``user_id``) and ours; ``jwt_verify`` reads them back through simplejwt. Signed
    by ``auth.jws`` on the fast path, by simplejwt's ``TokenBackend.encode`` (PyJWT) on the
    reference path: the same bytes for the same claims.
    """
    now = timezone.now()
    expires = now + timedelta(seconds=auth_settings().JWT_LIFETIME_SECONDS)
    if api_key.expires is not None and api_key.expires < expires:
        expires = api_key.expires
    claims = {
        jwt_settings.TOKEN_TYPE_CLAIM: AccessToken.token_type,
        "exp": int(expires.timestamp()),
        "iat": int(now.timestamp()),
        jwt_settings.JTI_CLAIM: uuid.uuid4().hex,
        "user_id": api_key.user_id,
        CLAIM_USERNAME: api_key.user.username,
        CLAIM_KEY: api_key.pk,
        CLAIM_SCOPES: sorted(api_key.scopes),
    }
    expires_in_ms = max(0, int((expires - now).total_seconds() * 1000))
    return IssuedToken(token=jwt_encode(claims), expires_in_ms=expires_in_ms)


def jwt_encode(claims: dict[str, Any]) -> str:
    """``claims`` signed as simplejwt would sign them: ``auth.jws`` when the backend is plain HS256
    with a key of full length (the fast path), else simplejwt's ``TokenBackend.encode``."""
    backend = jwt_state.token_backend
    if (
        fast_paths()
        and backend.algorithm == "HS256"
        and backend.audience is None
        and backend.issuer is None
        and backend.json_encoder is None
        and len(key := backend.prepared_signing_key) >= jws.MIN_KEY_BYTES
    ):
        return jws.hs256_encode(claims, key)
    return backend.encode(claims)


# JWTs this process verified, each until its own expiry: a client presents the same token
# for its whole lifetime, and checking its HMAC and claims again on every request costs
# more than the rest of the credential's work (issue #12). Keyed by a digest of the token,
# so the process's memory holds no bearer token beyond the request that carried it.
VERIFIED_JWTS: ExpiringCache[Credential] = ExpiringCache()
caches.register(
    "verified-jwts",
    holds="the claims of JWTs this process verified, by a digest of the token (never the token)",
    bound=f"{VERIFIED_JWTS.max_entries:,} tokens, each until its exp",
    invalidation="expiry; revocation is not cached (the rate limiter checks the markers on every request)",
    clear=VERIFIED_JWTS.clear,
)


def jwt_digest(text: str) -> str:
    return hashlib.blake2b(text.encode(), digest_size=20).hexdigest()


def jwt_verify(text: str) -> tuple[TokenUser, Credential]:
    """Verify signature, algorithm and expiry, with no I/O. Revocation is checked by the limiter.

    A token this process has verified before is only looked up: it was valid, and it stays
    in the cache no longer than its ``exp``.
    """
    digest = jwt_digest(text)
    entry = VERIFIED_JWTS.get(digest) if fast_paths() else None
    if entry is not None:
        credential = entry.value
        return TokenUser(credential.user_id, credential.username), credential
    try:
        token = AccessToken(text)  # type: ignore[arg-type]  # simplejwt accepts the encoded text
    except TokenError as exc:
        raise InvalidCredential("invalid or expired token") from exc
    try:
        user_id, key_id = int(token["user_id"]), int(token[CLAIM_KEY])
        scopes = frozenset(str(scope) for scope in token[CLAIM_SCOPES])
        username = str(token[CLAIM_USERNAME])
        expires_at = float(token["exp"])
    except (KeyError, TypeError, ValueError) as exc:
        raise InvalidCredential("invalid token claims") from exc
    credential = Credential(
        kind="jwt",
        user_id=user_id,
        api_key_id=key_id,
        scopes=scopes,
        revocation_keys=revocation.markers_for(api_key_id=key_id, user_id=user_id),
        username=username,
    )
    if (seconds := expires_at - time.time()) > 0:
        VERIFIED_JWTS.put(digest, credential, seconds)
    return TokenUser(user_id, username), credential


def presented_credential(text: str) -> tuple[Any, Credential, ApiKey | None]:
    """Verify an OAuth access token, an API key or a JWT: ``(user, credential, api_key or None)``."""
    if is_access_token(text):
        verified = oauth_token_verify(text)
        if isinstance(verified, str):
            raise InvalidCredential(verified)
        return verified[0], verified[1], None
    if keytext.looks_like_key(text, auth_settings().KEY_PREFIX):
        api_key = api_key_verify(text)
        return api_key.user, credential_for_key(api_key), api_key
    user, credential = jwt_verify(text)
    return user, credential, None


__all__ = [
    "ALL",
    "InvalidCredential",
    "IssuedKey",
    "IssuedToken",
    "ScopeEscalation",
    "api_key_create",
    "api_key_delete",
    "api_key_delete_minted",
    "api_key_exchange",
    "api_key_touch",
    "api_key_verify",
    "app_token_create",
    "jwt_verify",
    "oauth_application_lock",
    "presented_credential",
]
