"""django-oauth-toolkit's scopes backend: the service's scopes (§2.6), bounded per application.

An application may ask only for the scopes it was registered with (``OAuthClient.scopes``);
with no ``scope`` parameter it gets all of them. ``*`` is not an OAuth scope: a token's
scopes are always named one by one, so the consent page can list them.
"""

from __future__ import annotations

from typing import Any

from oauth2_provider.scopes import BaseScopes

from auth.models import OAuthClient
from auth.scopes import ALL_SCOPES

DESCRIPTIONS = {
    "profile": "your profile",
    "keys": "your SSH and PGP keys",
    "audit": "your audit log",
    "repos": "your repositories",
    "webhooks": "your webhook subscriptions",
    "apikeys": "your API keys and app tokens",
    "oauthapps": "your OAuth applications",
}


def describe(scope: str) -> str:
    """``describe("repos:write")`` -> ``'Read and change your repositories'``."""
    name, _, access = scope.partition(":")
    what = DESCRIPTIONS.get(name, name)
    return f"Read and change {what}" if access == "write" else f"Read {what}"


def application_scopes(application: Any) -> list[str]:
    if application is None:
        return list(ALL_SCOPES)
    scopes = OAuthClient.objects.filter(application_id=application.pk).values_list("scopes", flat=True).first()
    return [scope for scope in (scopes or []) if scope in ALL_SCOPES]


class ApiScopes(BaseScopes):
    def get_all_scopes(self) -> dict[str, str]:
        return {scope: describe(scope) for scope in ALL_SCOPES}

    def get_available_scopes(
        self, application: Any = None, request: Any = None, *args: Any, **kwargs: Any
    ) -> list[str]:
        return application_scopes(application)

    def get_default_scopes(self, application: Any = None, request: Any = None, *args: Any, **kwargs: Any) -> list[str]:
        return application_scopes(application)
