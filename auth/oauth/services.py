"""OAuth application flows: register, change, delete; each audited, each revoking what it must.

issued = oauth_app_create(user=alice, name="CI", redirect_uris=["https://ci.example/cb"],
                          scopes=["repos:read"], client_type="confidential")
issued.client_secret    # shown once; django-oauth-toolkit stores a PBKDF2 hash

Grants (SPEC §2.8): a user's *grant* of an application is their authorization of it, what
``GET /api/v1/oauth/authorizations`` lists: it lasts while the user holds a token for the
application (an access token, or a refresh token not revoked). API keys and app tokens
created with one of those tokens die when it ends (:func:`oauth_grant_end_if_empty`).
A code exchanged twice revokes the tokens it issued (:func:`oauth_code_reuse_revoke`).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from oauth2_provider.generators import generate_client_secret
from oauth2_provider.models import (
    AbstractApplication,
    get_access_token_model,
    get_application_model,
    get_grant_model,
    get_refresh_token_model,
)
from oauthlib.oauth2.rfc6749.grant_types.authorization_code import (
    code_challenge_method_plain,
    code_challenge_method_s256,
)

from accounts.services import audit_log_record
from auth.conf import auth_settings
from auth.models import OAuthClient, OAuthRedeemedCode
from auth.oauth.tokens import checksum
from auth.services import api_key_delete_minted, oauth_application_lock
from core.errors import ServiceError

OOB_URI = "urn:ietf:wg:oauth:2.0:oob"
CLIENT_TYPES = (AbstractApplication.CLIENT_PUBLIC, AbstractApplication.CLIENT_CONFIDENTIAL)
CHALLENGE_METHODS = {"S256": code_challenge_method_s256, "plain": code_challenge_method_plain}  # oauthlib's checks


@dataclass(frozen=True)
class IssuedApplication:
    application: Any
    client_secret: str | None  # confidential clients only; never stored in clear


def _check(application: Any) -> None:
    """django-oauth-toolkit's own rules, without the OOB URN (which its URI validator refuses)."""
    registered = application.redirect_uris
    application.redirect_uris = " ".join(uri for uri in registered.split() if uri != OOB_URI) or "https://x.invalid/"
    try:
        application.clean()
    except ValidationError as exc:
        field, messages = next(iter(exc.message_dict.items()))
        raise ServiceError("redirect_uris" if "redirect" in field else field, "; ".join(messages)) from exc
    finally:
        application.redirect_uris = registered


def oauth_app_create(
    *,
    user: Any,
    name: str,
    redirect_uris: list[str],
    scopes: list[str],
    client_type: str = AbstractApplication.CLIENT_CONFIDENTIAL,
    ip: str | None = None,
) -> IssuedApplication:
    secret = generate_client_secret() if client_type == AbstractApplication.CLIENT_CONFIDENTIAL else ""
    application = get_application_model()(
        user=user,
        name=name,
        client_type=client_type,
        authorization_grant_type=AbstractApplication.GRANT_AUTHORIZATION_CODE,
        redirect_uris=" ".join(redirect_uris),
        client_secret=secret,
        hash_client_secret=True,
        algorithm=AbstractApplication.NO_ALGORITHM,
    )
    _check(application)
    with transaction.atomic():
        application.save()
        OAuthClient.objects.create(application=application, scopes=sorted(scopes))
        audit_log_record(user_id=user.pk, action="oauth-app:create", ip=ip, details=f"{name} ({application.client_id})")
    return IssuedApplication(application=application, client_secret=secret or None)


def oauth_app_update(
    *, application: Any, name: str, redirect_uris: list[str], scopes: list[str], ip: str | None = None
) -> Any:
    """Change name, redirect URIs and scopes; tokens holding a scope the app lost are revoked."""
    application.name = name
    application.redirect_uris = " ".join(redirect_uris)
    _check(application)
    kept = set(scopes)
    with transaction.atomic():
        application.save(update_fields=["name", "redirect_uris", "updated"])
        OAuthClient.objects.update_or_create(application=application, defaults={"scopes": sorted(kept)})
        for token in get_access_token_model().objects.filter(application=application):
            if not set(token.scope.split()) <= kept:
                token.delete()  # post_delete marks it revoked (auth.signals)
        audit_log_record(
            user_id=application.user_id,
            action="oauth-app:update",
            ip=ip,
            details=f"{name} ({application.client_id}): {' '.join(sorted(kept))}",
        )
    return application


def oauth_app_delete(*, application: Any, ip: str | None = None) -> None:
    """Delete the application, its grants and tokens, and the keys minted through them; its
    tokens and those keys' JWTs fail at once on every process."""
    with transaction.atomic():
        audit_log_record(
            user_id=application.user_id,
            action="oauth-app:delete",
            ip=ip,
            details=f"{application.name} ({application.client_id})",
        )
        api_key_delete_minted(application_id=application.pk, ip=ip, reason=f"{_named(application)} was deleted")
        application.delete()


def oauth_app_secret_rotate(*, application: Any, ip: str | None = None) -> IssuedApplication:
    """A new client secret for a confidential application, shown once; the old one stops working
    at once (the token endpoint checks the stored hash). Tokens already issued are kept: to end
    them, delete the application or narrow its scopes."""
    if application.client_type != AbstractApplication.CLIENT_CONFIDENTIAL:
        raise ServiceError("client_type", "a public client has no secret to rotate")
    secret = generate_client_secret()
    application.client_secret, application.hash_client_secret = secret, True
    with transaction.atomic():
        application.save(update_fields=["client_secret", "hash_client_secret", "updated"])  # hashed on save
        audit_log_record(
            user_id=application.user_id, action="oauth-app:rotate-secret", ip=ip, details=_named(application)
        )
    return IssuedApplication(application=application, client_secret=secret)


def oauth_app_list(*, user_id: int) -> Any:
    """The user's own applications, with their scopes joined."""
    return get_application_model().objects.filter(user_id=user_id).select_related("api_client")


def oauth_authorizations(*, user_id: int) -> Any:
    """Applications holding a live token of the user's (what the user has authorized)."""
    return (
        get_application_model()
        .objects.filter(
            Q(accesstoken__user_id=user_id) | Q(refreshtoken__user_id=user_id, refreshtoken__revoked__isnull=True)
        )
        .distinct()
    )


@dataclass(frozen=True)
class GrantDetails:
    """What a user's grant of an application holds: the scopes of its access tokens, and since
    when (the oldest of its live tokens)."""

    scopes: list[str]
    since: Any


def oauth_grant_details(*, user_id: int, application_ids: list[int]) -> dict[int, GrantDetails]:
    """For each application the user authorized (of ``application_ids``): its :class:`GrantDetails`.
    Two queries, whatever the number of applications."""
    scopes: dict[int, set[str]] = {}
    since: dict[int, Any] = {}
    access = get_access_token_model().objects.filter(user_id=user_id, application_id__in=application_ids)
    refresh = get_refresh_token_model().objects.filter(
        user_id=user_id, application_id__in=application_ids, revoked__isnull=True
    )
    for application_id, scope, created in access.values_list("application_id", "scope", "created"):
        scopes.setdefault(application_id, set()).update(scope.split())
        since[application_id] = min(created, since.get(application_id, created))
    for application_id, created in refresh.values_list("application_id", "created"):
        since[application_id] = min(created, since.get(application_id, created))
    return {key: GrantDetails(sorted(scopes.get(key, ())), when) for key, when in since.items()}


def oauth_grant_revoke(*, user_id: int, application: Any, ip: str | None = None) -> None:
    """Withdraw the user's authorization of ``application``: every token and code of theirs for
    it, and the keys they minted with those tokens."""
    with transaction.atomic():
        oauth_application_lock(application_id=application.pk)
        for refresh in get_refresh_token_model().objects.filter(
            user_id=user_id, application=application, revoked__isnull=True
        ):
            refresh.revoke()  # also deletes its access token (post_delete marks it)
        for token in get_access_token_model().objects.filter(user_id=user_id, application=application):
            token.delete()
        get_grant_model().objects.filter(user_id=user_id, application=application).delete()
        api_key_delete_minted(
            application_id=application.pk,
            user_id=user_id,
            ip=ip,
            reason=f"the grant of {_named(application)} was withdrawn",
        )
        audit_log_record(
            user_id=user_id,
            action="oauth-grant:revoke",
            ip=ip,
            details=_named(application),
        )


def oauth_grant_end_if_empty(*, user_id: int, application: Any, why: str) -> int:
    """After some of the user's tokens for ``application`` were revoked (``why``): if none is
    left, the grant has ended, and so do the keys minted through it. How many keys went.

    Called where this service revokes tokens one by one or by family: RFC 7009 revocation,
    a replayed refresh token, a reused code. Takes the application's lock first, as minting does.
    """
    with transaction.atomic():
        oauth_application_lock(application_id=application.pk)
        if oauth_authorizations(user_id=user_id).filter(pk=application.pk).exists():
            return 0
        return api_key_delete_minted(
            application_id=application.pk, user_id=user_id, reason=f"the grant of {_named(application)} ended: {why}"
        )


# ------------------------------------------------------- authorization codes


def oauth_code_redeem(*, code: str, grant: Any, refresh_token: str) -> None:
    """Remember that ``code`` (its ``grant``, deleted next) issued the tokens of ``refresh_token``.

    Only the code's SHA-256 is kept, with the refresh token's family (the tokens rotated
    from it later are its members) and the PKCE challenge. Records older than
    ``API_AUTH["OAUTH_REDEEMED_CODE_SECONDS"]`` are deleted here, one indexed statement.
    """
    now = timezone.now()
    kept = timedelta(seconds=auth_settings().OAUTH_REDEEMED_CODE_SECONDS)
    OAuthRedeemedCode.objects.filter(redeemed__lt=now - kept).delete()
    family = (
        get_refresh_token_model()
        .objects.filter(token_checksum=checksum(refresh_token), revoked__isnull=True)
        .values_list("token_family", flat=True)
        .get()
    )
    OAuthRedeemedCode.objects.create(
        code_checksum=checksum(code),
        application_id=grant.application_id,
        user_id=grant.user_id,
        token_family=family,
        code_challenge=grant.code_challenge,
        code_challenge_method=grant.code_challenge_method,
        redeemed=now,
    )


def oauth_code_reuse_revoke(*, code: str, application: Any, code_verifier: str | None) -> bool:
    """A spent code presented again (RFC 6749 §4.1.2): revoke every token it issued, those
    rotated from them since included; if that ends the user's grant, the keys minted through it.

    Only for the client the code was issued to, with the code's PKCE verifier: whoever merely
    saw the code (in a log, a browser's history) cannot revoke the user's tokens with it.
    Returns whether it revoked.
    """
    redeemed = OAuthRedeemedCode.objects.filter(code_checksum=checksum(code), application=application).first()
    if redeemed is None or not _verifier_matches(redeemed, code_verifier):
        return False
    with transaction.atomic():
        oauth_application_lock(application_id=application.pk)
        _revoke_family(redeemed.token_family)
        audit_log_record(
            user_id=redeemed.user_id,
            action="oauth-code:reuse",
            ip=None,
            details=f"{_named(application)}: the tokens issued from the code were revoked",
        )
        oauth_grant_end_if_empty(
            user_id=redeemed.user_id, application=application, why="an authorization code was reused"
        )
    return True


def _verifier_matches(redeemed: OAuthRedeemedCode, code_verifier: str | None) -> bool:
    if not redeemed.code_challenge:
        return True  # a code issued without PKCE: RFC 6749's rule alone
    check = CHALLENGE_METHODS.get(redeemed.code_challenge_method)
    return code_verifier is not None and check is not None and check(code_verifier, redeemed.code_challenge)


def _revoke_family(token_family: uuid.UUID) -> None:
    """Revoke a refresh token family (and so its access tokens; post_delete marks each)."""
    for refresh in get_refresh_token_model().objects.filter(token_family=token_family, revoked__isnull=True):
        refresh.revoke()


def _named(application: Any) -> str:
    return f"{application.name} ({application.client_id})"
