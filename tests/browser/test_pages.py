"""Every HTML page in headless Chromium: it renders, works, carries a strict
``Content-Security-Policy``, and the browser reports no error and no violation.

Screenshots of each at 1280 and 360 px land in ``var/screenshots/``.
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from authlib.common.security import generate_token
from authlib.oauth2.rfc7636 import create_s256_code_challenge
from django.utils import timezone
from playwright.sync_api import expect

from auth.oauth.services import OOB_URI, oauth_app_create
from tests.browser.conftest import PASSWORD, Problems, assert_strict_csp, screenshot, sign_in


@pytest.fixture
def application(carol: Any, client_uri: str) -> Any:
    return oauth_app_create(
        user=carol,
        name="Example CI",
        redirect_uris=[client_uri, OOB_URI],
        scopes=["keys:read", "repos:read"],
        client_type="public",
    ).application


def authorize_url(live_server: Any, application: Any, redirect_uri: str, **extra: str) -> str:
    query = {
        "response_type": "code",
        "client_id": application.client_id,
        "redirect_uri": redirect_uri,
        "scope": "keys:read repos:read",
        "state": "xyz",
        "code_challenge": create_s256_code_challenge(generate_token(48)),
        "code_challenge_method": "S256",
        **extra,
    }
    return f"{live_server.url}/authorize?{urlencode(query)}"


def login_url(live_server: Any, then: str) -> str:
    """The sign-in page that continues to ``then`` (as /authorize sends a signed-out browser)."""
    parts = urlsplit(then)
    return f"{live_server.url}/login?{urlencode({'next': parts.path + '?' + parts.query})}"


def test_the_sign_in_page(page, live_server, problems: Problems):
    response = page.goto(f"{live_server.url}/login")
    expect(page.locator("h1")).to_have_text("Sign in to apiservice")
    assert_strict_csp(response)
    screenshot(page, "login")
    page.fill("#id_username", "nobody")
    page.fill("#id_password", "wrong")
    page.click("[type=submit]")
    expect(page.locator("#login-error")).to_be_visible()
    screenshot(page, "login-error")
    problems.assert_none()


def test_consent_then_approve_lands_on_the_clients_redirect_uri(page, live_server, problems, application, client_uri):
    landed = sign_in(page, login_url(live_server, authorize_url(live_server, application, client_uri)), "carol")
    expect(page.locator("h1")).to_have_text("Authorize Example CI?")
    directives = assert_strict_csp(landed)
    assert directives["form-action"] == ["'self'", client_uri.removesuffix("/callback")]
    expect(page.locator("#scopes li")).to_have_count(2)
    screenshot(page, "consent")
    with page.expect_request(re.compile(re.escape(client_uri) + r"\?")) as request:
        page.click("button[name=allow]")
    query = parse_qs(urlsplit(request.value.url).query)
    assert query["state"] == ["xyz"] and query["code"][0]
    expect(page.locator("#client")).to_have_text("client")
    problems.assert_none()


def test_signing_in_can_end_at_the_client(page, live_server, problems, application, carol, client_uri):
    """``approval_prompt=auto`` for an application already authorized: the sign-in's POST is
    redirected to the consent URL, and from there straight to the client, which the sign-in
    page's ``form-action`` must allow as well."""
    from oauth2_provider.models import get_access_token_model

    get_access_token_model().objects.create(
        user=carol, application=application, token="unused", scope="keys:read repos:read",
        expires=timezone.now() + timedelta(hours=1),
    )  # fmt: skip
    url = login_url(live_server, authorize_url(live_server, application, client_uri, approval_prompt="auto"))
    with page.expect_request(re.compile(re.escape(client_uri) + r"\?")) as request:
        sign_in(page, url, "carol")
    assert parse_qs(urlsplit(request.value.url).query)["code"][0]
    problems.assert_none()


def test_the_out_of_band_page_shows_the_code(page, live_server, problems, application):
    sign_in(page, login_url(live_server, authorize_url(live_server, application, OOB_URI)), "carol")
    with page.expect_response(lambda r: r.request.method == "POST") as answer:
        page.click("button[name=allow]")
    expect(page.locator("h1")).to_have_text("Your authorization code")
    expect(page.locator("#code")).not_to_be_empty()
    assert_strict_csp(answer.value)
    assert answer.value.headers["cache-control"] == "no-store"
    screenshot(page, "oob")
    problems.assert_none()


def test_signing_out_from_the_consent_page(page, live_server, problems, application, client_uri):
    sign_in(page, login_url(live_server, authorize_url(live_server, application, client_uri)), "carol")
    with page.expect_response(lambda r: r.request.method == "POST") as answer:
        page.get_by_role("button", name="Sign out").click()
    expect(page.locator("h1")).to_have_text("Signed out")
    assert_strict_csp(answer.value)
    screenshot(page, "logged-out")
    problems.assert_none()


def test_swagger_ui_renders_tries_get_version_and_opens_authorize(page, live_server, problems):
    response = page.goto(f"{live_server.url}/api/v1/docs")
    directives = assert_strict_csp(response)
    assert any(source.startswith("'nonce-") for source in directives["script-src"])  # drf-spectacular's start-up
    expect(page.locator(".opblock").first).to_be_visible()
    assert page.locator(".opblock").count() > 30
    screenshot(page, "swagger", focus=page.locator(".information-container"))
    version = page.locator(".opblock", has=page.locator('[data-path="/api/v1/version"]'))
    version.locator(".opblock-summary").click()
    version.locator(".try-out__btn").click()
    version.locator(".execute").click()
    expect(version.locator(".live-responses-table tbody .response-col_status")).to_have_text("200")
    screenshot(page, "swagger-try-it-out", focus=version.locator(".live-responses-table"))
    page.locator(".auth-wrapper .authorize").click()
    expect(page.locator(".dialog-ux .modal-ux")).to_be_visible()
    screenshot(page, "swagger-authorize", focus=page.locator(".dialog-ux .modal-ux"))
    problems.assert_none()


def test_swagger_ui_authorizes_through_the_consent_popup_then_calls_with_the_token(page, live_server, problems, carol):
    """The docs' *Authorize* runs the code flow with PKCE in a popup (sign-in, consent, then
    Swagger UI's callback page hands the code to the docs), under every page's policy. The
    docs' client is the one ``migrate`` made (a fresh stack, the live server's random port)."""
    page.goto(f"{live_server.url}/api/v1/docs")
    page.locator(".auth-wrapper .authorize").click()
    oauth = page.locator(".dialog-ux .auth-container", has_text="authorizationCode with PKCE")
    oauth.locator("a[data-all]").click()  # "select all" scopes
    with page.expect_popup() as opened:
        oauth.locator("button.authorize").click()
    popup = opened.value
    popup.fill("#id_username", "carol")
    popup.fill("#id_password", PASSWORD)
    popup.click("[type=submit]")
    expect(popup.locator("h1")).to_have_text("Authorize API docs (Swagger UI)?")
    screenshot(popup, "swagger-consent")
    with popup.expect_event("close"):
        popup.click("button[name=allow]")
    expect(oauth.locator("h6", has_text="Authorized")).to_be_visible()
    page.locator(".dialog-ux .close-modal").click()
    profile = page.locator(".opblock", has=page.locator('[data-path="/api/v1/user"]')).first
    profile.locator(".opblock-summary").click()
    profile.locator(".try-out__btn").click()
    profile.locator(".execute").click()
    expect(profile.locator(".live-responses-table tbody .response-col_status")).to_have_text("200")
    expect(profile.locator(".live-responses-table tbody .microlight").first).to_contain_text('"carol"')
    problems.assert_none()


def test_redoc_renders_the_operation_list(page, live_server, problems):
    response = page.goto(f"{live_server.url}/api/v1/redoc")
    assert_strict_csp(response)
    expect(page.locator("h1").first).to_contain_text("apiservice")
    expect(page.locator("[role=menuitem]").first).to_be_visible()
    assert page.locator("[role=menuitem]").count() > 30
    screenshot(page, "redoc", focus=page.locator("h1").first)
    # Redoc's bundle always draws Redocly's logo from its CDN; the policy refuses it before
    # any request is made, and Redoc drops the image.
    problems.assert_none("https://cdn.redoc.ly/redoc/logo-mini.svg")


def test_the_browsable_api_root(page, live_server, problems):
    response = page.goto(f"{live_server.url}/api/v1/")
    assert response is not None and response.headers["content-type"].startswith("text/html")
    assert_strict_csp(response)
    expect(page.locator(".navbar-brand")).to_have_text("apiservice")
    expect(page.locator(".response-info")).to_contain_text('"links"')
    screenshot(page, "browsable-api")
    problems.assert_none()


def test_the_admin_sign_in_index_list_and_form(page, live_server, problems, admin_user):
    response = page.goto(f"{live_server.url}/admin/login/")
    assert_strict_csp(response)
    screenshot(page, "admin-login")
    landed = sign_in(page, f"{live_server.url}/admin/login/?next=/admin/", "admin", "password")
    expect(page.locator("#site-name")).to_contain_text("apiservice administration")
    expect(page.locator("#content h1")).to_have_text("Site administration")
    assert_strict_csp(landed)
    screenshot(page, "admin-index")
    changelist = page.goto(f"{live_server.url}/admin/accounts/user/")
    expect(page.locator("#result_list")).to_contain_text("admin")
    assert_strict_csp(changelist)
    screenshot(page, "admin-users")
    form = page.goto(f"{live_server.url}/admin/api_auth/apikey/add/")
    expect(page.locator("#apikey_form")).to_be_visible()
    assert_strict_csp(form)
    screenshot(page, "admin-add-api-key")
    problems.assert_none()
