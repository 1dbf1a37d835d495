"""The API docs' OAuth client exists on a fresh database and authorizes on any loopback port
(issue 24 item 7): ``migrate`` creates it (``auth.oauth.docs_client``, ``post_migrate``)."""

from __future__ import annotations

import io

import pytest
from authlib.common.security import generate_token
from authlib.oauth2.rfc7636 import create_s256_code_challenge
from django.core.management import call_command
from oauth2_provider.models import get_application_model

from auth.models import OAuthClient
from auth.oauth.docs_client import CLIENT_ID, LOOPBACK_CALLBACKS, ensure_docs_client
from auth.scopes import ALL_SCOPES

pytestmark = pytest.mark.django_db


def authorize(client, redirect_uri):
    return client.get(
        "/authorize",
        {"response_type": "code", "client_id": CLIENT_ID, "redirect_uri": redirect_uri, "scope": "repos:read",
         "state": "s", "code_challenge": create_s256_code_challenge(generate_token(48)), "code_challenge_method": "S256"},
    )  # fmt: skip


def test_migrate_made_the_docs_client_with_loopback_callbacks_on_any_port():
    application = get_application_model().objects.get(client_id=CLIENT_ID)
    assert application.client_type == "public" and application.redirect_uris.split() == list(LOOPBACK_CALLBACKS)
    assert sorted(OAuthClient.objects.get(application=application).scopes) == sorted(ALL_SCOPES)


@pytest.mark.parametrize(
    ("redirect_uri", "valid"),
    [("http://127.0.0.1:8000/api/v1/oauth2-redirect.html", True), ("http://127.0.0.1:51234/api/v1/oauth2-redirect.html", True),
     ("http://[::1]:8001/api/v1/oauth2-redirect.html", True), ("http://localhost:8000/api/v1/oauth2-redirect.html", False),
     ("http://127.0.0.1:8000/elsewhere", False)],
)  # fmt: skip
def test_the_docs_authorize_on_whatever_port_the_stack_listens(admin_client, redirect_uri, valid):
    page = authorize(admin_client, redirect_uri)
    assert page.status_code == (200 if valid else 400)
    assert ("Authorize API docs (Swagger UI)?" in page.content.decode()) is valid


def test_migrate_leaves_an_existing_client_alone_and_the_command_points_it_at_a_url():
    call_command("oauth_docs_client", base_url="https://api.example.org", stdout=io.StringIO())
    ensure_docs_client(sender=None, using="default")
    application = get_application_model().objects.get(client_id=CLIENT_ID)
    assert application.redirect_uris == "https://api.example.org/api/v1/oauth2-redirect.html"


def test_a_missing_client_is_made_again_by_migrate():
    get_application_model().objects.filter(client_id=CLIENT_ID).delete()
    call_command("migrate", verbosity=0)
    assert get_application_model().objects.filter(client_id=CLIENT_ID).exists()
