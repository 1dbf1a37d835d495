"""A signed-in person browsing the API (§7.4): the session for reads, the CSRF token for changes."""

from __future__ import annotations

import pytest
from django.test import Client

from resources.models import Repository

pytestmark = pytest.mark.django_db


@pytest.fixture
def browser(user):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(user)
    return browser


def test_a_signed_in_browser_reads_its_own_data(browser, user):
    Repository.objects.create(owner=user, name="mine", visibility="private")
    page = browser.get("/api/v1/repos", HTTP_ACCEPT="application/json")
    assert page.status_code == 200 and [repo["name"] for repo in page.json()["results"]] == ["mine"]
    assert page["X-RateLimit-Scope"] == "authenticated-read"


def test_a_change_needs_the_csrf_token(browser, user):
    refused = browser.post("/api/v1/repos", {"name": "x"}, content_type="application/json")
    assert refused.status_code == 403
    assert refused.json() == {"errors": [{"reason": "a signed-in browser's change needs the CSRF token (X-CSRFToken)"}]}
    assert not Repository.objects.filter(owner=user).exists()
    browser.get("/login")  # a page of the site sets the CSRF cookie, as the person's browser has it
    token = browser.cookies["csrftoken"].value
    made = browser.post("/api/v1/repos", {"name": "x"}, content_type="application/json", HTTP_X_CSRFTOKEN=token)
    assert made.status_code == 201 and Repository.objects.filter(owner=user, name="x").exists()


def test_an_api_credential_wins_over_a_session(browser, user, other_user, headers_for):
    Repository.objects.create(owner=other_user, name="bobs", visibility="private")
    page = browser.get("/api/v1/repos", **headers_for(other_user))
    assert [repo["name"] for repo in page.json()["results"]] == ["bobs"]


def test_a_stale_or_foreign_session_cookie_is_anonymous(client):
    client.cookies["sessionid"] = "not-a-session"
    assert client.get("/api/v1/repos").status_code == 401
    assert client.get("/api/v1/version").status_code == 200


def test_a_deactivated_user_s_session_is_anonymous(browser, user):
    user.is_active = False
    user.save()
    assert browser.get("/api/v1/repos").status_code == 401


def test_an_anonymous_html_page_offers_a_sign_in_link(client):
    page = client.get("/api/v1/", HTTP_ACCEPT="text/html").content.decode()
    assert 'href="/login?next=/api/v1/"' in page


def test_a_signed_in_html_page_names_the_person(browser, user):
    page = browser.get("/api/v1/", HTTP_ACCEPT="text/html").content.decode()
    assert 'href="/settings/">alice</a>' in page and "/login?next=" not in page


def test_an_api_client_without_a_cookie_never_reads_a_session(client, api_key, django_assert_num_queries):
    """No Cookie header: nothing of the session is looked at (a JWT request makes no query)."""
    token = client.post("/api/v1/authenticate", {"apiKey": api_key.secret}, content_type="application/json")
    with django_assert_num_queries(0):
        assert client.get("/api/v1/version", HTTP_AUTHORIZATION=f"Bearer {token.json()['token']}").status_code == 200


def test_a_signed_in_browser_creates_a_key(browser, user):
    """The session's credential (every scope) mints keys through no OAuth grant (was a 401)."""
    browser.get("/login")
    token = browser.cookies["csrftoken"].value
    made = browser.post(
        "/api/v1/keys", {"name": "from the browser", "scopes": ["repos:read"]}, content_type="application/json",
        HTTP_X_CSRFTOKEN=token,
    )  # fmt: skip
    assert made.status_code == 201, made.content
    assert browser.get("/api/v1/user", HTTP_AUTHORIZATION=f"token {made.json()['key']}").status_code == 200
