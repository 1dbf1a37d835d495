"""The API docs' public OAuth client, ``apiservice-docs``: it exists on every database.

Swagger UI's *Authorize* (``/api/v1/docs``) runs the authorization-code flow with PKCE as
this client, to its callback ``/api/v1/oauth2-redirect.html`` beside the docs page. Every
``migrate`` (and a test database's flush) makes sure the client exists: Django's
``post_migrate``, as for permissions and content types. A new client's callbacks are on
the loopback addresses *without a port*: RFC 8252 §7.3, which the redirect URI matching
already follows (docs/authentication.md), lets a request name any port there, so the docs
authorize at once on ``http://127.0.0.1:<port>`` and ``http://[::1]:<port>`` whatever
``PORT`` ``make run`` (or ``runserver``, or a test's live server) listens on.

A deployment at its own URL points the client there once:
``manage.py oauth_docs_client --base-url https://api.example.org``. A client that exists
is never changed by ``migrate``.
"""

from __future__ import annotations

from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections, transaction
from oauth2_provider.models import AbstractApplication, get_application_model

from auth.models import OAuthClient
from auth.scopes import ALL_SCOPES

CLIENT_ID = "apiservice-docs"
CALLBACK = "/api/v1/oauth2-redirect.html"
LOOPBACK_CALLBACKS = (f"http://127.0.0.1{CALLBACK}", f"http://[::1]{CALLBACK}")


def oauth_docs_client_register(*, redirect_uris: list[str] | tuple[str, ...], replace: bool) -> Any:
    """The docs' client with every scope and ``redirect_uris``; an existing one is updated only
    if ``replace``. Public: no secret; PKCE (S256) protects its codes."""
    with transaction.atomic():
        existing = get_application_model().objects.filter(client_id=CLIENT_ID).first()
        if existing is not None and not replace:
            return existing
        application, _ = get_application_model().objects.update_or_create(
            client_id=CLIENT_ID,
            defaults={
                "name": "API docs (Swagger UI)",
                "client_type": AbstractApplication.CLIENT_PUBLIC,
                "authorization_grant_type": AbstractApplication.GRANT_AUTHORIZATION_CODE,
                "redirect_uris": " ".join(redirect_uris),
                "client_secret": "",
                "algorithm": AbstractApplication.NO_ALGORITHM,
            },
        )
        OAuthClient.objects.update_or_create(application=application, defaults={"scopes": list(ALL_SCOPES)})
    return application


def ensure_docs_client(sender: Any, **kwargs: Any) -> None:
    """``post_migrate`` (once, for this app): create the client if it is missing."""
    using = kwargs.get("using", DEFAULT_DB_ALIAS)
    tables = connections[using].introspection.table_names()
    needed = (get_application_model()._meta.db_table, OAuthClient._meta.db_table)
    if using == DEFAULT_DB_ALIAS and all(table in tables for table in needed):  # not after "migrate api_auth zero"
        oauth_docs_client_register(redirect_uris=LOOPBACK_CALLBACKS, replace=False)
