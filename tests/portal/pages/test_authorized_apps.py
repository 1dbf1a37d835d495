"""``/settings/authorized``: the applications you authorized; revoking one ends its tokens and the
keys minted through them at once (as ``DELETE /api/v1/oauth/authorizations/:client_id``)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from oauth2_provider.models import AccessToken
from rest_framework.test import APIClient

from accounts.models import AuditLogEntry
from auth.models import ApiKey
from auth.oauth import tokens as oauth_tokens
from auth.oauth.services import oauth_app_create
from tests.auth.test_oauth import REDIRECT, bearer
from tests.auth.test_oauth_grants import authorized
from tests.portal.pages.conftest import text

pytestmark = pytest.mark.django_db

URL = "/settings/authorized"


@pytest.fixture(autouse=True)
def _fresh_claims_cache():
    oauth_tokens.CACHE.clear()
    yield
    oauth_tokens.CACHE.clear()


@pytest.fixture
def app(other_user):
    """bob's application, which alice may authorize."""
    return oauth_app_create(
        user=other_user, name="Key maker", redirect_uris=[REDIRECT], scopes=["apikeys:write", "repos:read"],
        client_type="public",
    ).application  # fmt: skip


def token_for(user, app, scope="repos:read", **extra):
    return AccessToken.objects.create(
        user=user, application=app, scope=scope, expires=timezone.now() + timedelta(hours=1), **extra
    )


def test_the_empty_list_says_what_to_do(alice):
    assert "You have not authorized any application." in text(alice.get(URL))


def test_each_grant_with_its_scopes_and_date(alice, user, app):
    token = token_for(user, app, scope="apikeys:write repos:read")
    page = text(alice.get(URL))
    assert "Key maker" in page and "<code>apikeys:write</code> <code>repos:read</code>" in page
    assert token.created.strftime("%Y-%m-%d %H:%M") in page


def test_pages_of_grants(alice, user, other_user, per_page):
    for n in range(3):
        app = oauth_app_create(
            user=other_user, name=f"app-{n}", redirect_uris=[REDIRECT], scopes=["repos:read"], client_type="public"
        ).application
        token_for(user, app, token=f"t{n}")
    page = text(alice.get(URL))
    assert "app-2" in page and "app-1" in page and "app-0" not in page and 'rel="next"' in page


def test_revoking_in_the_page_ends_its_tokens_and_the_keys_minted_through_them(alice, user, app):
    api = APIClient()
    _, _, tokens = authorized(api, app, user)
    minted = api.post("/api/v1/keys", {"name": "minted", "scopes": ["repos:read"]}, format="json",
                      **bearer(tokens["access_token"]))  # fmt: skip
    assert minted.status_code == 201, minted.content
    key = minted.json()["key"]
    assert api.get("/api/v1/repos", **bearer(tokens["access_token"])).status_code == 200
    assert api.get("/api/v1/repos", **bearer(key)).status_code == 200

    assert "Revoke the access of “Key maker”?" in text(alice.get(f"{URL}/{app.client_id}/revoke"))
    assert alice.post(f"{URL}/{app.client_id}/revoke")["Location"] == URL
    assert api.get("/api/v1/repos", **bearer(tokens["access_token"])).status_code == 401
    assert api.get("/api/v1/repos", **bearer(key)).status_code == 401
    assert not ApiKey.objects.filter(user=user).exists()
    assert AuditLogEntry.objects.filter(user=user, action="oauth-grant:revoke").count() == 1
    assert "You have not authorized any application." in text(alice.get(URL))


def test_an_application_you_did_not_authorize_is_404(alice, user, other_user, app):
    token_for(other_user, app)  # bob authorized it, alice did not
    assert alice.get(f"{URL}/{app.client_id}/revoke").status_code == 404
    assert alice.post(f"{URL}/{app.client_id}/revoke").status_code == 404
    assert AccessToken.objects.filter(user=other_user).exists()
