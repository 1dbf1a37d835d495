"""``manage.py oauth_docs_client [--base-url http://127.0.0.1:8000]``: point the docs' OAuth client at a URL.

``migrate`` already creates the public client ``apiservice-docs`` that Swagger UI's
"Authorize" uses, with callbacks on the loopback addresses, any port
(:mod:`auth.oauth.docs_client`). A deployment at its own URL runs this once: the client's
callback becomes ``<base-url>/api/v1/oauth2-redirect.html``, with every scope. Idempotent.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from auth.oauth.docs_client import CALLBACK, CLIENT_ID, oauth_docs_client_register


class Command(BaseCommand):
    help = "Point the public OAuth client that the API docs (Swagger UI) authorize with at a URL."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--base-url", default="http://127.0.0.1:8000")

    def handle(self, *args: Any, base_url: str, **options: Any) -> None:
        redirect = base_url.rstrip("/") + CALLBACK
        oauth_docs_client_register(redirect_uris=[redirect], replace=True)
        self.stdout.write(f"{CLIENT_ID} -> {redirect}")
