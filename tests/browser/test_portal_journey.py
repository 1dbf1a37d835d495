"""One person's whole journey through the portal in headless Chromium, as issue 24 tells it:
sign up (open registration) -> the verification mail from a real SMTP server -> verify -> sign
in -> enable 2FA -> sign out -> sign in with a TOTP code -> create an API key in the page and call
the API with it (200) -> revoke it in the page (401) -> register an OAuth application ->
authorize it -> see and revoke it under Authorized applications (its token: 401) -> subscribe a
webhook to a loopback receiver -> see the delivery in the page and redeliver it.

The pages' own details (errors, empty states, screenshots) are tested beside them
(test_portal_accounts.py, test_portal_pages.py); this is the thread that ties them together.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
import requests
from playwright.sync_api import Page, expect

from tests.browser.conftest import Problems, assert_strict_csp, sign_in
from tests.browser.test_portal_accounts import click, code_from, follow_mail
from tests.mail import Inbox
from tests.webhooks.conftest import Receiver
from webhooks.services.delivering import deliveries_pump

PASSWORD = "a long enough passphrase 42"


@pytest.fixture
def receiver() -> Any:
    instance = Receiver()
    yield instance
    instance.close()


@pytest.fixture
def journey_settings(settings: Any) -> None:
    settings.PORTAL = {**settings.PORTAL, "REGISTRATION": "open"}
    settings.WEBHOOKS = {**settings.WEBHOOKS, "ALLOWED_NETWORKS": "127.0.0.0/8", "RETRY_SCHEDULE": [1, 1, 1]}


def api(live_server: Any, credential: str, path: str = "/api/v1/user") -> int:
    return requests.get(
        f"{live_server.url}{path}", headers={"Authorization": f"Bearer {credential}"}, timeout=10
    ).status_code


def confirm_if_asked(page: Page) -> None:
    """Sudo mode: signing in confirmed the password, so this only answers a prompt if one came."""
    if page.locator("h1").inner_text() == "Confirm your password":
        page.fill("#id_password", PASSWORD)
        click(page, "button", "Confirm")


def test_the_whole_journey(
    page: Page,
    live_server: Any,
    problems: Problems,
    smtp_server: Inbox,
    journey_settings: None,
    receiver: Receiver,
    client_uri: str,
) -> None:
    base = live_server.url

    # -- sign up, verify by mail, sign in
    assert_strict_csp(page.goto(f"{base}/signup"))
    page.get_by_label("Username").fill("frank")
    page.get_by_label("Email address").fill("frank@example.org")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Password confirmation").fill(PASSWORD)
    click(page, "button", "Create account")
    expect(page.locator("h1")).to_have_text("Check your email")
    follow_mail(page, smtp_server, "frank@example.org")
    click(page, "button", "Verify email address")
    landed = sign_in(page, page.url, "frank", PASSWORD)
    assert landed is not None and landed.url.endswith("/settings/profile")

    # -- two-factor authentication, then out and back in with a code
    page.get_by_role("link", name="Security").click()
    click(page, "link", "Enable two-factor authentication")
    confirm_if_asked(page)
    secret = page.locator("#totp-secret").inner_text()
    page.get_by_label("Code").fill(code_from(secret))
    click(page, "button", "Enable two-factor authentication")
    expect(page.locator("#recovery-codes code")).to_have_count(10)
    click(page, "link", "I have saved my recovery codes")
    page.goto(f"{base}/logout")
    click(page, "button", "Sign out")
    sign_in(page, f"{base}/login?next=/settings/keys", "frank", PASSWORD)
    expect(page.locator("h1")).to_have_text("Two-factor authentication")
    page.get_by_label("Code").fill(code_from(secret, steps=1))  # the next code: the last one is used up
    click(page, "button", "Verify")
    expect(page.locator("h1")).to_have_text("API keys")

    # -- an API key made in the page works, and dies when revoked there
    page.get_by_label("Name").fill("laptop")
    page.get_by_label("Read your repositories").check()
    click(page, "button", "Create key")
    confirm_if_asked(page)
    if page.locator("h1").inner_text() == "API keys":  # back on the form after the confirmation
        page.get_by_label("Name").fill("laptop")
        page.get_by_label("Read your repositories").check()
        click(page, "button", "Create key")
    key = page.locator("#secret").inner_text().strip()
    assert api(live_server, key) == 200
    page.get_by_role("link", name="Back to API keys").click()
    page.get_by_role("link", name="Revoke laptop").click()
    click(page, "button", "Revoke key")
    assert api(live_server, key) == 401

    # -- an OAuth application: registered, authorized, seen and revoked under Authorized applications
    page.goto(f"{base}/settings/applications")
    page.get_by_label("Name").fill("Example CI")
    page.get_by_label("Redirect URIs").fill(client_uri)
    page.get_by_label("Read your repositories").check()
    page.get_by_label("Public").check()
    click(page, "button", "Register application")
    confirm_if_asked(page)
    if page.locator("h1").inner_text() == "OAuth applications":
        page.get_by_label("Name").fill("Example CI")
        page.get_by_label("Redirect URIs").fill(client_uri)
        page.get_by_label("Read your repositories").check()
        page.get_by_label("Public").check()
        click(page, "button", "Register application")
    client_id = page.locator("#client-id").inner_text().strip()
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).decode().rstrip("=")
    query = urlencode({
        "response_type": "code", "client_id": client_id, "redirect_uri": client_uri, "scope": "repos:read",
        "state": "s1", "code_challenge": challenge, "code_challenge_method": "S256",
    })  # fmt: skip
    page.goto(f"{base}/authorize?{query}")
    expect(page.locator("main")).to_contain_text("Example CI")
    with page.expect_request(lambda request: request.url.startswith(client_uri + "?")) as redirected:
        page.get_by_role("button", name="Approve").click()
    expect(page.locator("#client")).to_have_text("client")  # the client's page (loopback): the navigation is over
    code = parse_qs(urlsplit(redirected.value.url).query)["code"][0]
    token = requests.post(
        f"{base}/api/v1/oauth/token",
        data={"grant_type": "authorization_code", "code": code, "redirect_uri": client_uri, "client_id": client_id,
              "code_verifier": verifier},
        timeout=10,
    ).json()["access_token"]  # fmt: skip
    assert api(live_server, token, "/api/v1/repos") == 200
    page.goto(f"{base}/settings/authorized")
    row = page.get_by_role("row", name="Example CI")
    expect(row).to_contain_text("repos:read")
    row.get_by_role("link").first.click()
    click(page, "button", "Revoke access")
    expect(page.locator(".messages")).to_contain_text("Example CI")
    assert api(live_server, token, "/api/v1/repos") == 401

    # -- a webhook to a loopback receiver: delivered, seen in the page, redelivered
    page.goto(f"{base}/settings/webhooks")
    page.get_by_label("Payload URL").fill(receiver.url)
    page.get_by_label("repo:create", exact=False).check()
    click(page, "button", "Subscribe")
    page.get_by_role("link", name=receiver.url, exact=True).click()
    click(page, "button", "Send test ping")
    deliveries_pump()  # what production's Celery task does
    assert len(receiver.requests) == 1
    page.reload()
    expect(page.get_by_role("row", name="webhook:test")).to_contain_text("delivered (200)")
    page.get_by_role("link", name="Delivery webhook:test").click()
    click(page, "button", "Redeliver")
    deliveries_pump()
    assert len(receiver.requests) == 2
    assert (
        receiver.requests[0]["headers"]["X-Webhook-Delivery"] == receiver.requests[1]["headers"]["X-Webhook-Delivery"]
    )
    problems.assert_none()
