"""django-oauth-toolkit's validator, plus two rules.

- An inactive user's refresh token mints nothing.
- ``urn:ietf:wg:oauth:2.0:oob`` is a valid redirect URI for an application that registered
  it (django-oauth-toolkit's URI matcher expects a host); :class:`auth.oauth.views.AuthorizationView`
  shows the code on a page instead of redirecting.
"""

from __future__ import annotations

from typing import Any

from oauth2_provider.oauth2_validators import OAuth2Validator

from auth.oauth.services import OOB_URI


class Validator(OAuth2Validator):
    def validate_redirect_uri(self, client_id: str, redirect_uri: str, request: Any, *args: Any, **kwargs: Any) -> bool:
        if redirect_uri == OOB_URI:
            return OOB_URI in request.client.redirect_uris.split()
        return super().validate_redirect_uri(client_id, redirect_uri, request, *args, **kwargs)

    def validate_refresh_token(self, refresh_token: str, client: Any, request: Any, *args: Any, **kwargs: Any) -> bool:
        if not super().validate_refresh_token(refresh_token, client, request, *args, **kwargs):
            return False
        user = getattr(request, "user", None)
        return user is not None and user.is_active
