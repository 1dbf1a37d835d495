"""The account pages in headless Chromium: signing up with the mail read from a real SMTP
server, confirming, signing in, two-factor authentication with a code computed from the
secret on the page, recovery codes, signing out, the password changed and reset by mail;
and every other page of accounts and security. Each under its real CSP, with nothing
reported by the browser; screenshots of each at 1280 and 360 px (var/screenshots/portal-*).
"""

from __future__ import annotations

import base64
import re
import time
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticToken
from playwright.sync_api import Page, expect

from tests.browser.conftest import PASSWORD, Problems, assert_strict_csp, screenshot, sign_in
from tests.mail import Inbox

NEW_PASSWORD = "a long enough passphrase 42"
NEWER_PASSWORD = "yet another passphrase 1234"


def code_from(secret_text: str, steps: int = 0) -> str:
    """What an authenticator app shows for the secret typed from the page."""
    key = base64.b32decode(secret_text.replace(" ", ""))
    totp = TOTP(key)
    totp.time = time.time() + steps * 30
    return f"{totp.token():06d}"


def click(page: Page, role: str, name: str) -> Any:
    with page.expect_navigation() as landed:
        page.get_by_role(role, name=name).click()  # type: ignore[arg-type]
    return landed.value


def follow_mail(page: Page, inbox: Inbox, to: str) -> Any:
    link = inbox.last(to=to).link()
    return page.goto(link)


@pytest.fixture
def open_registration(settings: Any) -> None:
    settings.PORTAL = {**settings.PORTAL, "REGISTRATION": "open"}


def test_sign_up_confirm_sign_in_two_factor_recovery_password_change_and_reset(
    page,
    live_server,
    problems: Problems,
    smtp_server: Inbox,
    open_registration,
):
    base = live_server.url
    # -- sign up
    response = page.goto(f"{base}/signup")
    assert_strict_csp(response)
    expect(page.locator("h1")).to_have_text("Create an account")
    screenshot(page, "portal-signup")
    page.get_by_label("Username").fill("erin")
    page.get_by_label("Email address").fill("erin@example.org")
    page.get_by_label("Password", exact=True).fill("short")
    page.get_by_label("Password confirmation").fill("short")
    click(page, "button", "Create account")
    expect(page.locator("#id_password2-error")).to_contain_text("too short")
    screenshot(page, "portal-signup-error")
    page.get_by_label("Password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Password confirmation").fill(NEW_PASSWORD)
    click(page, "button", "Create account")
    expect(page.locator("h1")).to_have_text("Check your email")
    screenshot(page, "portal-signup-sent")

    # -- not yet: the address is unconfirmed
    sign_in(page, f"{base}/login", "erin", NEW_PASSWORD)
    expect(page.locator("#login-error")).to_contain_text("Confirm your email address first")
    expect(page.get_by_role("button", name="Send the email again")).to_be_visible()
    screenshot(page, "portal-login-unconfirmed")

    # -- the link from the mail
    assert_strict_csp(follow_mail(page, smtp_server, "erin@example.org"))
    expect(page.locator("h1")).to_have_text("Confirm your email address")
    screenshot(page, "portal-verify-email")
    click(page, "button", "Verify email address")
    expect(page.locator(".messages")).to_contain_text("Your email address is confirmed")

    # -- sign in, then the Profile and Security pages
    landed = sign_in(page, page.url, "erin", NEW_PASSWORD)
    assert landed is not None and landed.url.endswith("/settings/profile")
    expect(page.locator("h1")).to_have_text("Profile")
    screenshot(page, "portal-profile")
    page.get_by_role("link", name="Security").click()
    expect(page.locator("h1")).to_have_text("Security")
    expect(page.locator(".sessions")).to_contain_text("this session")
    screenshot(page, "portal-security")

    # -- two-factor authentication: the QR code, the secret, a code
    click(page, "link", "Enable two-factor authentication")
    expect(page.get_by_role("img", name="QR code of your new authenticator secret")).to_be_visible()
    secret = page.locator("#totp-secret").inner_text()
    screenshot(page, "portal-two-factor-enable")
    page.get_by_label("Code").fill("000000" if code_from(secret) != "000000" else "111111")
    click(page, "button", "Enable two-factor authentication")
    expect(page.locator("#id_code-error")).to_contain_text("That code is not right")
    page.get_by_label("Code").fill(code_from(secret))
    answer = click(page, "button", "Enable two-factor authentication")
    assert "no-store" in answer.headers["cache-control"]
    expect(page.locator("h1")).to_have_text("Your recovery codes")
    codes = page.locator("#recovery-codes code").all_inner_texts()
    assert len(codes) == 10
    expect(page.get_by_role("button", name="Copy codes")).to_be_visible()  # the script ran
    screenshot(page, "portal-recovery-codes")
    click(page, "link", "I have saved my recovery codes")
    expect(page.locator("main")).to_contain_text("Recovery codes left: 10")
    screenshot(page, "portal-security-two-factor-on")

    # -- sign out: a page that asks, then a button
    click(page, "link", "Sign out")
    expect(page.locator("h1")).to_have_text("Sign out?")
    screenshot(page, "portal-logout")
    click(page, "button", "Sign out")
    expect(page.locator("h1")).to_have_text("Signed out")
    screenshot(page, "portal-logged-out")

    # -- sign in with a code from the app
    sign_in(page, f"{base}/login", "erin", NEW_PASSWORD)
    expect(page.locator("h1")).to_have_text("Two-factor authentication")
    screenshot(page, "portal-login-two-factor")
    page.get_by_label("Authentication code").fill(code_from(secret, steps=1))  # the enrolment used this step's
    click(page, "button", "Verify")
    expect(page.locator("h1")).to_have_text("Profile")
    click(page, "link", "Sign out")
    click(page, "button", "Sign out")

    # -- then with a recovery code, which is used up
    sign_in(page, f"{base}/login", "erin", NEW_PASSWORD)
    page.get_by_label("Authentication code").fill(codes[0])
    click(page, "button", "Verify")
    expect(page.locator(".messages")).to_contain_text("You signed in with a recovery code; 9 left.")
    erin = get_user_model().objects.get(username="erin")
    assert codes[0] not in StaticToken.objects.filter(device__user=erin).values_list("token", flat=True)

    # -- change the password
    page.goto(f"{base}/settings/security")
    click(page, "link", "Change password")
    expect(page.locator("h1")).to_have_text("Change password")
    screenshot(page, "portal-password-change")
    page.get_by_label("Old password").fill(NEW_PASSWORD)
    page.get_by_label("New password", exact=True).fill(NEWER_PASSWORD)
    page.get_by_label("New password confirmation").fill(NEWER_PASSWORD)
    click(page, "button", "Change password")
    expect(page.locator(".messages")).to_contain_text("Your password is changed")
    click(page, "link", "Sign out")
    click(page, "button", "Sign out")

    # -- forget it, and reset it by mail
    page.goto(f"{base}/login")
    click(page, "link", "Forgot your password?")
    expect(page.locator("h1")).to_have_text("Reset your password")
    screenshot(page, "portal-password-reset")
    page.get_by_label("Email").fill("ERIN@example.org")
    click(page, "button", "Send the link")
    expect(page.locator("h1")).to_have_text("Check your email")
    screenshot(page, "portal-password-reset-sent")
    follow_mail(page, smtp_server, "erin@example.org")
    expect(page.locator("h1")).to_have_text("Choose a new password")
    screenshot(page, "portal-password-reset-confirm")
    page.get_by_label("New password", exact=True).fill(NEW_PASSWORD + "!")
    page.get_by_label("New password confirmation").fill(NEW_PASSWORD + "!")
    click(page, "button", "Set password")
    expect(page.locator("h1")).to_have_text("Your password is set")
    screenshot(page, "portal-password-reset-complete")
    click(page, "link", "Sign in")
    sign_in(page, page.url, "erin", NEW_PASSWORD + "!")
    page.get_by_label("Authentication code").fill(codes[1])
    click(page, "button", "Verify")
    expect(page.locator("h1")).to_have_text("Profile")
    problems.assert_none()


def test_a_wrong_password_then_too_many_attempts(page, live_server, problems, carol, settings):
    settings.API_AUTH = {**settings.API_AUTH, "LOGIN_RATE": "2/h"}
    sign_in(page, f"{live_server.url}/login", "carol", "wrong")
    expect(page.locator("#login-error")).to_contain_text("did not match")
    screenshot(page, "portal-login-error")
    sign_in(page, f"{live_server.url}/login", "carol", "wrong")
    landed = sign_in(page, f"{live_server.url}/login", "carol", "wrong")
    assert landed is not None and landed.status == 429
    expect(page.locator("h1")).to_have_text("Too many sign-in attempts")
    screenshot(page, "portal-too-many")
    problems.assert_none("429")


def test_sign_up_closed_and_by_invitation(page, live_server, problems, carol, settings):
    response = page.goto(f"{live_server.url}/signup")
    assert_strict_csp(response)
    expect(page.locator("h1")).to_have_text("Sign-up is closed")
    screenshot(page, "portal-signup-closed")
    settings.PORTAL = {**settings.PORTAL, "REGISTRATION": "invite"}
    page.goto(f"{live_server.url}/signup")
    expect(page.locator("h1")).to_have_text("Sign-up is by invitation")
    screenshot(page, "portal-signup-invite-only")
    carol.is_superuser = True
    carol.save()
    sign_in(page, f"{live_server.url}/login", "carol")
    page.goto(f"{live_server.url}/settings/invites")
    expect(page.locator(".empty")).to_contain_text("You have not invited anyone yet")
    screenshot(page, "portal-invites-empty")
    page.get_by_label("Who is it for?").fill("Dave from the CI team")
    answer = click(page, "button", "Create invite link")
    assert "no-store" in answer.headers["cache-control"]
    link = page.locator("#invite-link").inner_text()
    expect(page.get_by_role("button", name="Copy link")).to_be_visible()
    screenshot(page, "portal-invites-created")
    click(page, "link", "Sign out")
    click(page, "button", "Sign out")
    page.goto(link)
    expect(page.locator("h1")).to_have_text("Create an account")
    screenshot(page, "portal-signup-invited")
    problems.assert_none()


def test_profile_email_change_and_account_deletion(page, live_server, problems, carol, smtp_server):
    base = live_server.url
    sign_in(page, f"{base}/login", "carol")
    page.get_by_label("Website").fill("mailto:carol@example.org")  # a URL to the browser, not a website
    click(page, "button", "Save profile")
    expect(page.locator("#id_url-error")).to_contain_text("Enter a valid URL")
    screenshot(page, "portal-profile-error")
    page.get_by_label("Website").fill("https://carol.example")
    page.get_by_label("Location").fill("Ghent")
    click(page, "button", "Save profile")
    expect(page.locator(".messages")).to_contain_text("Your profile is saved.")

    page.get_by_label("New email address").fill("carol@new.example")
    click(page, "button", "Change email address")
    expect(page.locator(".messages")).to_contain_text("We sent a link to carol@new.example")
    expect(page.locator("main")).to_contain_text("Waiting for confirmation")
    screenshot(page, "portal-profile-email-pending")
    follow_mail(page, smtp_server, "carol@new.example")
    expect(page.locator("h1")).to_have_text("Confirm your new email address")
    screenshot(page, "portal-email-confirm")
    click(page, "button", "Confirm email address")
    expect(page.locator(".messages")).to_contain_text("Your new email address is confirmed.")

    click(page, "link", "Delete your account…")
    expect(page.locator("h1")).to_have_text("Delete your account")
    screenshot(page, "portal-account-delete")
    page.get_by_label("Type your username to confirm").fill("carol")
    click(page, "button", "Delete account")
    expect(page.locator("h1")).to_have_text("Your account is deleted")
    screenshot(page, "portal-account-deleted")
    assert not get_user_model().objects.get(username="carol").is_active
    problems.assert_none()


def test_staff_enrol_before_signing_in_when_required(page, live_server, problems, carol, settings):
    settings.PORTAL = {**settings.PORTAL, "REQUIRE_2FA_FOR_STAFF": True}
    carol.is_staff = True
    carol.save()
    sign_in(page, f"{live_server.url}/login?next=/admin/", "carol")
    expect(page.locator("h1")).to_have_text("Set up two-factor authentication")
    screenshot(page, "portal-login-enrol")
    page.get_by_label("Code from your app").fill(code_from(page.locator("#totp-secret").inner_text()))
    click(page, "button", "Enable and sign in")
    expect(page.locator("h1")).to_have_text("Your recovery codes")
    click(page, "link", "I have saved my recovery codes")
    expect(page.locator("#site-name")).to_contain_text("apiservice administration")
    problems.assert_none()


def test_the_sudo_confirmation_before_a_secret(page, live_server, problems, carol):
    sign_in(page, f"{live_server.url}/login", "carol")
    page.context.clear_cookies()
    sign_in(page, f"{live_server.url}/login", "carol")
    # a stale confirmation: forget it on the server's side
    from django.contrib.sessions.models import Session

    for session in Session.objects.all():
        data = session.get_decoded()
        data.pop("portal_sudo_at", None)
        Session.objects.filter(pk=session.pk).update(session_data=Session.objects.encode(data))
    page.goto(f"{live_server.url}/settings/security/two-factor")
    expect(page.locator("h1")).to_have_text("Confirm your password")
    screenshot(page, "portal-confirm")
    page.get_by_label("Password").fill(PASSWORD)
    click(page, "button", "Confirm")
    expect(page.locator("h1")).to_have_text("Enable two-factor authentication")
    assert re.search(r"/settings/security/two-factor$", page.url)
    problems.assert_none()
