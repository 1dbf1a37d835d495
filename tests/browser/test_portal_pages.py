"""The settings pages in Chromium (issue 24 item 5): an API key created in the page works against
the API and dies when revoked there; an OAuth application's secret is shown once; a webhook
subscribed in the page is delivered to a loopback receiver and redelivered. Each page at 1280
and 360 px in ``var/screenshots/portal-*.png``; the browser reports no error and no violation."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import requests
from django.utils import timezone
from oauth2_provider.models import AccessToken
from playwright.sync_api import Page, expect

from accounts.services import audit_log_record
from auth.oauth.services import oauth_app_create
from auth.services import api_key_create
from resources.services.keys import pgp_key_add, ssh_key_add
from tests.browser.conftest import PASSWORD, Problems, assert_strict_csp, screenshot, sign_in
from tests.resources.conftest import fixture
from tests.webhooks.conftest import Receiver
from webhooks.models import Delivery
from webhooks.services.delivering import deliveries_pump


@pytest.fixture
def receiver() -> Any:
    instance = Receiver()
    yield instance
    instance.close()


@pytest.fixture
def loopback_allowed(settings: Any) -> None:
    settings.WEBHOOKS = {**settings.WEBHOOKS, "ALLOWED_NETWORKS": "127.0.0.0/8", "RETRY_SCHEDULE": [1, 1, 1]}


def signed_in(page: Page, live_server: Any, path: str) -> None:
    """carol signed in, her password confirmed for sudo mode, on ``path``."""
    sign_in(page, f"{live_server.url}/login?next={path}", "carol")
    page.goto(f"{live_server.url}/settings/confirm?next={path}")
    page.fill("#id_password", PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Confirm").click()
    expect(page).to_have_url(f"{live_server.url}{path}")


def api_status(live_server: Any, credential: str) -> int:
    return requests.get(
        f"{live_server.url}/api/v1/user", headers={"Authorization": f"token {credential}"}, timeout=10
    ).status_code


def test_an_api_key_made_in_the_page_works_and_dies_when_revoked(
    page, live_server, problems: Problems, carol, settings
):
    sign_in(page, f"{live_server.url}/login?next=/settings/keys", "carol")
    expect(page.locator("h1")).to_have_text("API keys")
    expect(page.locator(".empty")).to_contain_text("You have no API keys yet")
    screenshot(page, "portal-api-keys-empty")
    page.get_by_label("Name").fill("laptop")
    page.get_by_label("Read your repositories").check()
    # signing in confirmed the password; as if that was longer ago than the sudo window:
    settings.PORTAL = {**settings.PORTAL, "SUDO_SECONDS": 0}
    page.get_by_role("button", name="Create key").click()
    # the password first, then back to the form
    expect(page.locator("h1")).to_have_text("Confirm your password")
    screenshot(page, "portal-confirm")
    settings.PORTAL = {**settings.PORTAL, "SUDO_SECONDS": 900}
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Confirm").click()
    expect(page.locator("h1")).to_have_text("API keys")
    page.get_by_label("Name").fill("laptop")
    page.get_by_label("Read your repositories").check()
    with page.expect_response(lambda r: r.request.method == "POST") as answer:
        page.get_by_role("button", name="Create key").click()
    assert_strict_csp(answer.value)
    assert "no-store" in answer.value.headers["cache-control"]
    expect(page.locator("h1")).to_have_text("Your new API key “laptop”")
    secret = page.locator("#secret").inner_text().strip()
    expect(page.locator("#curl")).to_have_text(f'curl -H "Authorization: token {secret}" {live_server.url}/api/v1/user')
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    page.get_by_role("button", name="Copy key").click()
    expect(page.get_by_role("button", name="Copied")).to_be_visible()
    assert page.evaluate("navigator.clipboard.readText()") == secret
    page.get_by_role("button", name="Copy command").click()
    assert page.evaluate("navigator.clipboard.readText()").startswith(f'curl -H "Authorization: token {secret}"')
    screenshot(page, "portal-api-key-created")
    assert api_status(live_server, secret) == 200

    page.get_by_role("link", name="Back to API keys").click()
    row = page.get_by_role("row", name="laptop")
    expect(row).to_contain_text("repos:read")
    expect(page.locator("main")).not_to_contain_text(secret)
    screenshot(page, "portal-api-keys")
    page.get_by_role("link", name="Revoke laptop").click()
    expect(page.locator("h1")).to_have_text("Revoke API key")
    screenshot(page, "portal-api-key-revoke")
    page.get_by_role("button", name="Revoke key").click()
    expect(page.locator(".messages")).to_contain_text("was revoked")
    assert api_status(live_server, secret) == 401
    problems.assert_none()


def test_an_oauth_application_registered_in_the_page_shows_its_secret_once(page, live_server, problems, carol):
    signed_in(page, live_server, "/settings/applications")
    screenshot(page, "portal-oauth-apps-empty")
    page.get_by_label("Name").fill("Example CI")
    page.get_by_label("Redirect URIs").fill("https://ci.example/callback\nurn:ietf:wg:oauth:2.0:oob")
    page.get_by_label("Read your repositories").check()
    page.get_by_label("Confidential").check()
    page.get_by_role("button", name="Register application").click()
    expect(page.locator("h1")).to_have_text("“Example CI” is registered")
    secret = page.locator("#secret").inner_text().strip()
    client_id = page.locator("#client-id").inner_text().strip()
    assert len(secret) >= 40 and client_id
    screenshot(page, "portal-oauth-app-registered")
    page.get_by_role("link", name="Go to the application").click()
    expect(page.locator("#client-id")).to_have_text(client_id)
    expect(page.locator("main")).not_to_contain_text(secret)
    screenshot(page, "portal-oauth-app")
    page.get_by_role("link", name="Rotate secret").click()
    screenshot(page, "portal-oauth-app-rotate")
    page.get_by_role("button", name="Rotate secret").click()
    expect(page.locator("h1")).to_have_text("A new client secret for “Example CI”")
    rotated = page.locator("#secret").inner_text().strip()
    assert rotated and rotated != secret
    page.goto(f"{live_server.url}/settings/applications")
    expect(page.get_by_role("row", name="Example CI")).to_contain_text(client_id)
    expect(page.locator("main")).not_to_contain_text(rotated)
    screenshot(page, "portal-oauth-apps")
    problems.assert_none()


@pytest.mark.usefixtures("loopback_allowed")
def test_a_webhook_subscribed_in_the_page_is_delivered_and_redelivered(page, live_server, problems, carol, receiver):
    signed_in(page, live_server, "/settings/webhooks")
    screenshot(page, "portal-webhooks-empty")
    page.get_by_label("Payload URL").fill(receiver.url)
    page.get_by_label("repo:create", exact=False).check()
    page.get_by_role("button", name="Subscribe").click()
    expect(page.locator(".messages")).to_contain_text(f"Subscribed {receiver.url}")
    screenshot(page, "portal-webhooks")
    page.get_by_role("link", name=receiver.url, exact=True).click()
    expect(page.locator(".empty")).to_contain_text("Nothing was sent to this URL yet")
    page.get_by_role("button", name="Send test ping").click()
    expect(page.locator(".messages")).to_contain_text("A test delivery")
    deliveries_pump()  # what production's task does; no worker runs in these tests
    assert len(receiver.requests) == 1
    page.reload()
    expect(page.get_by_role("row", name="webhook:test")).to_contain_text("delivered (200)")
    screenshot(page, "portal-webhook")
    page.get_by_role("link", name="Delivery webhook:test").click()
    expect(page.locator("#response-status")).to_have_text("200")
    expect(page.locator("#request-headers")).to_contain_text("X-Webhook-Event: webhook:test")
    screenshot(page, "portal-delivery")
    page.get_by_role("button", name="Redeliver").click()
    expect(page.locator(".messages")).to_contain_text("queued to be sent again")
    assert Delivery.objects.get().response_status == Delivery.PENDING
    deliveries_pump()
    assert len(receiver.requests) == 2
    first, again = (request["headers"]["X-Webhook-Delivery"] for request in receiver.requests)
    assert first == again  # the same delivery, sent again
    page.reload()
    expect(page.locator(".facts")).to_contain_text("delivered (200)")
    problems.assert_none()


def test_every_other_settings_page(page, live_server, problems, carol, django_user_model):
    """The remaining pages, empty and with rows, at both widths."""
    signed_in(page, live_server, "/settings/tokens")
    screenshot(page, "portal-app-tokens-empty")
    page.get_by_label("Title").fill("Quay CLI")
    page.get_by_role("button", name="Create token").click()
    expect(page.locator("h1")).to_have_text("Your new app token “Quay CLI”")
    screenshot(page, "portal-app-token-created")
    page.get_by_role("link", name="Back to app tokens").click()
    screenshot(page, "portal-app-tokens")

    page.goto(f"{live_server.url}/settings/authorized")
    expect(page.locator(".empty")).to_contain_text("You have not authorized any application")
    screenshot(page, "portal-authorized-empty")
    dave = django_user_model.objects.create_user("dave", password=PASSWORD)
    application = oauth_app_create(
        user=dave, name="Dave's dashboard", redirect_uris=["https://dash.example/cb"],
        scopes=["repos:read", "keys:read"], client_type="public",
    ).application  # fmt: skip
    AccessToken.objects.create(
        user=carol, application=application, token="t", scope="repos:read keys:read",
        expires=timezone.now() + timedelta(hours=1),
    )  # fmt: skip
    page.reload()
    expect(page.get_by_role("row", name="Dave's dashboard")).to_contain_text("keys:read")
    screenshot(page, "portal-authorized")
    page.get_by_role("link", name="Revoke Dave's dashboard").click()
    screenshot(page, "portal-authorized-revoke")
    page.get_by_role("button", name="Revoke access").click()
    expect(page.locator(".messages")).to_contain_text("no longer has access")

    page.goto(f"{live_server.url}/settings/ssh-keys")
    screenshot(page, "portal-ssh-keys-empty")
    page.get_by_label("Public key").fill("ssh-ed25519 not-a-key")
    page.get_by_role("button", name="Add key").click()
    expect(page.locator("#key-error")).to_be_visible()
    screenshot(page, "portal-ssh-keys-error")
    page.get_by_label("Public key").fill(fixture("ssh_ed25519.pub"))
    page.get_by_role("button", name="Add key").click()
    expect(page.locator(".messages")).to_contain_text("was added")
    ssh_key_add(owner=carol, text=fixture("ssh_rsa.pub"), ip=None)
    page.reload()
    screenshot(page, "portal-ssh-keys")

    page.goto(f"{live_server.url}/settings/pgp-keys")
    screenshot(page, "portal-pgp-keys-empty")
    pgp_key_add(owner=carol, text=fixture("pgp_ed25519.asc"), ip=None)
    page.reload()
    screenshot(page, "portal-pgp-keys")
    page.get_by_role("link", name="Remove").first.click()
    screenshot(page, "portal-pgp-key-remove")

    api_key_create(user=carol, name="old", scopes=["repos:read"])
    audit_log_record(user_id=carol.pk, action="webhook:replay", ip="2001:db8::1", details="https://hooks.example.org/with/a/long/path/that/wraps: 3 failed deliveries since 2026-01-01T00:00:00+00:00")  # fmt: skip
    page.goto(f"{live_server.url}/settings/audit-log")
    expect(page.get_by_role("row").nth(1)).to_contain_text("webhook:replay")
    screenshot(page, "portal-audit-log")
    problems.assert_none()
