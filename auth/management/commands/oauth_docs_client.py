"""``manage.py oauth_docs_client [--base-url http://127.0.0.1:8000]``: the docs' public OAuth client.

Registers (or updates) the public application ``apiservice-docs`` that Swagger UI's
"Authorize" button uses (``SPECTACULAR_SETTINGS["SWAGGER_UI_OAUTH2_CONFIG"]``), with every
scope and Swagger UI's callback ``<base-url>/api/v1/oauth2-redirect.html``. Idempotent.
A public client has no secret; PKCE (S256) protects its codes.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction
from oauth2_provider.models import AbstractApplication, get_application_model

from auth.models import OAuthClient
from auth.scopes import ALL_SCOPES

CLIENT_ID = "apiservice-docs"


class Command(BaseCommand):
    help = "Register the public OAuth client that the API docs (Swagger UI) authorize with."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--base-url", default="http://127.0.0.1:8000")

    def handle(self, *args: Any, base_url: str, **options: Any) -> None:
        redirect = base_url.rstrip("/") + "/api/v1/oauth2-redirect.html"
        with transaction.atomic():
            application, _ = get_application_model().objects.update_or_create(
                client_id=CLIENT_ID,
                defaults={
                    "name": "API docs (Swagger UI)",
                    "client_type": AbstractApplication.CLIENT_PUBLIC,
                    "authorization_grant_type": AbstractApplication.GRANT_AUTHORIZATION_CODE,
                    "redirect_uris": redirect,
                    "client_secret": "",
                    "algorithm": AbstractApplication.NO_ALGORITHM,
                },
            )
            OAuthClient.objects.update_or_create(application=application, defaults={"scopes": list(ALL_SCOPES)})
        self.stdout.write(f"{CLIENT_ID} -> {redirect}")
