"""django-oauth-toolkit's validator, plus this service's rules.

- An inactive user's refresh token mints nothing.
- ``urn:ietf:wg:oauth:2.0:oob`` is a valid redirect URI for an application that registered
  it (django-oauth-toolkit's URI matcher expects a host); :class:`auth.oauth.views.AuthorizationView`
  shows the code on a page instead of redirecting.
- A code works once (RFC 6749 §4.1.2). django-oauth-toolkit deletes the grant after saving
  the tokens and, if two requests exchange the same code at once, both get tokens; here the
  grant is claimed (locked, then deleted) in the transaction that saves them, and remembered.
  A spent code presented again, with its PKCE verifier, is refused and revokes the tokens it
  issued (:func:`auth.oauth.services.oauth_code_reuse_revoke`).
- Tokens revoked one way or another may end the user's grant of the application, and with
  it the keys minted through it (:func:`auth.oauth.services.oauth_grant_end_if_empty`).
- PKCE is S256 only, refused before the consent page is shown (:class:`Server`), as a
  missing challenge is.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from oauth2_provider.models import get_access_token_model, get_grant_model, get_refresh_token_model
from oauth2_provider.oauth2_validators import OAuth2Validator
from oauthlib import oauth2 as oauthlib_oauth2
from oauthlib.oauth2.rfc6749 import errors

from auth import revocation
from auth.oauth import services
from auth.oauth.services import OOB_URI
from auth.oauth.tokens import checksum


def s256_only(request: Any) -> dict[str, Any]:
    """An authorization request's PKCE method must be S256: ``plain``, or none (which RFC 7636
    §4.3 reads as ``plain``), is ``invalid_request``, redirected to the client at once."""
    if request.code_challenge is not None and request.code_challenge_method != "S256":
        raise errors.InvalidRequestError(
            description='code_challenge_method must be "S256"; "plain" is not supported', request=request
        )
    return {}


class Server(oauthlib_oauth2.Server):
    """oauthlib's server (django-oauth-toolkit's default) whose authorization code grant checks
    the PKCE method when the request is validated, before any page is shown.

    django-oauth-toolkit refuses ``plain`` only when the code is created, after the user
    approved it on the consent page; oauthlib's public hook for checks of its own runs the
    check here (``post_auth``: after oauthlib's, once the client and redirect URI are known
    good, so the refusal is a redirect to the client).
    """

    def __init__(self, request_validator: Any, *args: Any, **kwargs: Any) -> None:
        super().__init__(request_validator, *args, **kwargs)
        self.auth_grant.custom_validators.post_auth.append(s256_only)


class Validator(OAuth2Validator):
    def validate_redirect_uri(self, client_id: str, redirect_uri: str, request: Any, *args: Any, **kwargs: Any) -> bool:
        if redirect_uri == OOB_URI:
            return OOB_URI in request.client.redirect_uris.split()
        return super().validate_redirect_uri(client_id, redirect_uri, request, *args, **kwargs)

    # ---------------------------------------------------------- one use per code

    def validate_code(self, client_id: str, code: str, client: Any, request: Any, *args: Any, **kwargs: Any) -> bool:
        """django-oauth-toolkit's check; a spent code is refused and revokes what it issued.

        The grant is kept on the request for the PKCE and redirect URI checks that follow:
        looked up again, it could be gone if a concurrent request spent the code meanwhile.
        """
        if super().validate_code(client_id, code, client, request, *args, **kwargs):
            request.validated_grant = get_grant_model().objects.filter(code=code, application=client).first()
            if request.validated_grant is not None:
                return True
        services.oauth_code_reuse_revoke(code=code, application=client, code_verifier=request.code_verifier)
        return False

    def get_code_challenge(self, code: str, request: Any) -> str | None:
        grant = getattr(request, "validated_grant", None)
        return super().get_code_challenge(code, request) if grant is None else grant.code_challenge or None

    def get_code_challenge_method(self, code: str, request: Any) -> str | None:
        grant = getattr(request, "validated_grant", None)
        return (
            super().get_code_challenge_method(code, request) if grant is None else grant.code_challenge_method or None
        )

    def confirm_redirect_uri(
        self, client_id: str, code: str, redirect_uri: str, client: Any, request: Any, *args: Any, **kwargs: Any
    ) -> bool:
        grant = getattr(request, "validated_grant", None)
        if grant is None:
            return super().confirm_redirect_uri(client_id, code, redirect_uri, client, request, *args, **kwargs)
        return grant.redirect_uri_allowed(redirect_uri)

    def save_bearer_token(self, token: dict[str, Any], request: Any, *args: Any, **kwargs: Any) -> Any:
        if request.grant_type != "authorization_code":
            return super().save_bearer_token(token, request, *args, **kwargs)
        with transaction.atomic():
            grants = get_grant_model().objects.select_for_update().filter(code=request.code, application=request.client)
            claimed = grants.first()
            if claimed is not None:
                saved = super().save_bearer_token(token, request, *args, **kwargs)
                services.oauth_code_redeem(code=request.code, grant=claimed, refresh_token=token["refresh_token"])
                claimed.delete()
                return saved
        # A concurrent request exchanged the code after this one validated it: the code was used twice.
        services.oauth_code_reuse_revoke(
            code=request.code, application=request.client, code_verifier=request.code_verifier
        )
        raise errors.InvalidGrantError(request=request)

    def invalidate_authorization_code(self, client_id: str, code: str, request: Any, *args: Any, **kwargs: Any) -> None:
        """Nothing left to do: :meth:`save_bearer_token` spent the code with the tokens it saved."""

    # ------------------------------------------------------------ revocation

    def validate_refresh_token(self, refresh_token: str, client: Any, request: Any, *args: Any, **kwargs: Any) -> bool:
        if not super().validate_refresh_token(refresh_token, client, request, *args, **kwargs):
            # A replayed refresh token may just have revoked its whole family.
            holder = (
                get_refresh_token_model()
                .objects.filter(token_checksum=checksum(refresh_token), application=client)
                .values_list("user_id", flat=True)
                .first()
            )
            if holder is not None:
                services.oauth_grant_end_if_empty(
                    user_id=holder, application=client, why="a refresh token was replayed"
                )
            return False
        user = getattr(request, "user", None)
        return user is not None and user.is_active

    def revoke_token(self, token: str, token_type_hint: str | None, request: Any, *args: Any, **kwargs: Any) -> None:
        """RFC 7009: the token named, looked up among the client's own; revoking the user's
        last token for the application ends their grant.

        An access token goes alone: its refresh token stays usable (RFC 7009 §2.1 lets the
        server choose; docs/authentication.md#revocation promises this). django-oauth-toolkit
        3.x revokes the bound refresh token as well, with no setting to choose, so the lookup
        is done here (:func:`access_token_revoke`); a refresh token is revoked as the library
        does it, with its access token.
        """
        application = request.client
        if getattr(application, "pk", None) is None:
            return None  # no stored client: nothing of its can be revoked
        lookup = {"token_checksum": checksum(token), "application": application}
        access_tokens, refresh_tokens = get_access_token_model(), get_refresh_token_model()
        models = (
            [refresh_tokens, access_tokens] if token_type_hint == "refresh_token" else [access_tokens, refresh_tokens]
        )
        with transaction.atomic():
            found: list[Any] = []
            for model in models:  # a hint orders the search (RFC 7009 §2.1), it does not limit it
                found = found or list(model.objects.filter(**lookup))
            holders = {each.user_id for each in found}
            for each in found:
                if isinstance(each, access_tokens):
                    access_token_revoke(each)
                else:
                    each.revoke()
            for user_id in holders - {None}:
                services.oauth_grant_end_if_empty(
                    user_id=user_id, application=application, why="its last token was revoked"
                )
        return None


def access_token_revoke(token: Any) -> None:
    """Revoke one access token and nothing else.

    Bound to a live refresh token, it is ended rather than deleted: its expiry set to now and
    its revocation marker written (every process refuses it at once). django-oauth-toolkit
    refuses a refresh token whose access token row is gone, as an orphan, and slides the
    refresh token's lifetime on that row, so the row stays until the refresh rotates it away.
    Without a refresh token it is deleted, as the library does (its marker follows, :mod:`auth.signals`).
    """
    if not get_refresh_token_model().objects.filter(access_token=token, revoked__isnull=True).exists():
        token.revoke()
        return
    type(token).objects.filter(pk=token.pk).update(expires=timezone.now())
    revocation.mark_revoked(revocation.oauth_token_marker(token.pk))
