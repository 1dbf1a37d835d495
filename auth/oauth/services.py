"""OAuth application flows: register, change, delete; each audited, each revoking what it must.

issued = oauth_app_create(user=alice, name="CI", redirect_uris=["https://ci.example/cb"],
                          scopes=["repos:read"], client_type="confidential")
issued.client_secret    # shown once; django-oauth-toolkit stores a PBKDF2 hash
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from oauth2_provider.generators import generate_client_secret
from oauth2_provider.models import (
    AbstractApplication,
    get_access_token_model,
    get_application_model,
    get_grant_model,
    get_refresh_token_model,
)

from accounts.services import audit_log_record
from auth.models import OAuthClient
from core.errors import ServiceError

OOB_URI = "urn:ietf:wg:oauth:2.0:oob"
CLIENT_TYPES = (AbstractApplication.CLIENT_PUBLIC, AbstractApplication.CLIENT_CONFIDENTIAL)


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
    """Delete the application, its grants and tokens; its tokens fail at once on every process."""
    with transaction.atomic():
        audit_log_record(
            user_id=application.user_id,
            action="oauth-app:delete",
            ip=ip,
            details=f"{application.name} ({application.client_id})",
        )
        application.delete()


def oauth_authorizations(*, user_id: int) -> Any:
    """Applications holding a live token of the user's (what the user has authorized)."""
    return (
        get_application_model()
        .objects.filter(
            Q(accesstoken__user_id=user_id) | Q(refreshtoken__user_id=user_id, refreshtoken__revoked__isnull=True)
        )
        .distinct()
    )


def oauth_grant_revoke(*, user_id: int, application: Any, ip: str | None = None) -> None:
    """Withdraw the user's authorization of ``application``: every token and code of theirs for it."""
    with transaction.atomic():
        for refresh in get_refresh_token_model().objects.filter(
            user_id=user_id, application=application, revoked__isnull=True
        ):
            refresh.revoke()  # also deletes its access token (post_delete marks it)
        for token in get_access_token_model().objects.filter(user_id=user_id, application=application):
            token.delete()
        get_grant_model().objects.filter(user_id=user_id, application=application).delete()
        audit_log_record(
            user_id=user_id,
            action="oauth-grant:revoke",
            ip=ip,
            details=f"{application.name} ({application.client_id})",
        )
