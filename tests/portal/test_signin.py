"""``/login`` and ``/logout``: by username or email, landing on /settings/ or ``next``, rate
limited per address and per account, unconfirmed addresses refused with a way to get the
link again, the session listed while it is signed in."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
from django.test import Client

from accounts.models import User, UserSession
from accounts.sessions import key_hash
from tests.portal.conftest import PASSWORD, audit_actions, sign_in

pytestmark = pytest.mark.django_db


def test_signing_in_by_username_lands_on_the_settings(client, dana):
    response = sign_in(client, "dana")
    assert response.status_code == 302 and response["Location"] == "/settings/"
    assert client.get("/settings/")["Location"] == "/settings/profile"
    assert client.get("/settings/profile").status_code == 200
    assert audit_actions(dana)[-1] == "account:sign-in"


def test_signing_in_by_email_in_any_case(client, dana):
    assert sign_in(client, "DANA@Example.ORG")["Location"] == "/settings/"


def test_an_email_two_accounts_share_is_refused_with_advice_to_use_the_username(client, dana, django_user_model):
    django_user_model.objects.create_user("dana2", email="Dana@example.org", password=PASSWORD)
    page = sign_in(client, "dana@example.org")
    assert page.status_code == 200
    assert "sign in with your username instead" in page.content.decode()
    assert sign_in(client, "dana2")["Location"] == "/settings/"


@pytest.mark.parametrize("username", ["dana", "nobody", "nobody@example.org"])
def test_a_wrong_password_and_an_unknown_account_get_the_same_answer(client, dana, username):
    page = sign_in(client, username, "wrong password")
    assert page.status_code == 200
    assert 'id="login-error"' in page.content.decode()
    assert "did not match" in page.content.decode()
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize(
    ("given", "landing"),
    [("/settings/security", "/settings/security"), ("https://evil.example/x", "/settings/"), ("//evil.example", "/settings/"),
     ("/api/v1/", "/api/v1/")],
)  # fmt: skip
def test_next_is_followed_when_it_is_this_site(client, dana, given, landing):
    assert sign_in(client, "dana", next=given)["Location"] == landing


def test_the_application_line_shows_only_when_an_application_asked(client):
    line = "An application asked to use your account"
    assert line not in client.get("/login").content.decode()
    assert line not in client.get("/login?next=/settings/").content.decode()
    assert line in client.get("/login?" + urlencode({"next": "/authorize?client_id=x"})).content.decode()


def test_sign_in_posts_are_limited_per_address(dana, django_user_model, settings):
    settings.API_AUTH = {**settings.API_AUTH, "LOGIN_RATE": "3/h"}
    browser = Client(REMOTE_ADDR="198.51.100.7")
    statuses = [sign_in(browser, f"someone{n}", "wrong").status_code for n in range(4)]
    assert statuses == [200, 200, 200, 429]
    refused = sign_in(browser, "dana")
    assert refused.status_code == 429 and int(refused["Retry-After"]) >= 1
    assert "Too many sign-in attempts" in refused.content.decode() and "Try again in" in refused.content.decode()
    assert sign_in(Client(REMOTE_ADDR="198.51.100.8"), "dana").status_code == 302  # another address


def test_sign_in_posts_are_limited_per_account_whatever_the_address(dana, portal):
    portal(LOGIN_ACCOUNT_RATE="3/h")
    statuses = [sign_in(Client(REMOTE_ADDR=f"198.51.100.{n}"), "Dana", "wrong").status_code for n in range(4)]
    assert statuses == [200, 200, 200, 429]
    assert sign_in(Client(REMOTE_ADDR="203.0.113.1"), "dana").status_code == 429  # even with the right password
    assert sign_in(Client(REMOTE_ADDR="203.0.113.1"), "erin").status_code == 200  # another account


def test_an_unconfirmed_address_is_refused_and_the_link_can_be_sent_again(client, smtp_server, django_user_model):
    django_user_model.objects.create_user("fay", email="fay@example.org", password=PASSWORD, email_verified=False)
    page = sign_in(client, "fay")
    assert page.status_code == 200 and "_auth_user_id" not in client.session
    html = page.content.decode()
    assert "Confirm your email address first" in html and "Send the email again" in html
    token = html.split('name="token" value="')[1].split('"')[0]
    sent = client.post("/signup/resend", {"token": token})
    assert sent.status_code == 200 and "Check your email" in sent.content.decode()
    assert "/signup/verify/" in smtp_server.last(to="fay@example.org").link()
    assert client.post("/signup/resend", {"token": "forged"}).status_code == 200
    assert len(smtp_server.received) == 1


def test_signing_out_asks_on_a_get_and_signs_out_on_a_post(client, dana):
    sign_in(client, "dana")
    asked = client.get("/logout")
    assert asked.status_code == 200 and "Sign out?" in asked.content.decode()
    assert client.get("/settings/profile").status_code == 200  # a GET changes nothing
    done = client.post("/logout")
    assert done.status_code == 200 and "Signed out" in done.content.decode()
    assert client.get("/settings/profile")["Location"] == "/login?next=/settings/profile"


def test_a_session_is_listed_from_sign_in_to_sign_out(client, dana):
    sign_in(client, "dana", headers={"User-Agent": "Firefox/140.0"})
    row = UserSession.objects.get(user=dana)
    assert row.key_hash == key_hash(client.session.session_key)
    assert row.user_agent == "Firefox/140.0" and row.ip == "127.0.0.1"
    client.post("/logout")
    assert not UserSession.objects.filter(user=dana).exists()


def test_signing_in_counts_as_a_password_confirmation(client, dana):
    sign_in(client, "dana")
    assert client.get("/settings/security/two-factor").status_code == 200  # sudo mode: no confirmation asked


def test_a_post_without_the_csrf_token_is_refused(dana):
    browser = Client(enforce_csrf_checks=True)
    assert browser.post("/login", {"username": "dana", "password": PASSWORD}).status_code == 403
    assert browser.post("/logout").status_code == 403


def test_the_sign_in_keeps_its_opener_redirects_too_and_is_not_cached(client, dana):
    """Swagger UI's popup signs in on these pages and must still reach the docs page after."""
    page = client.get("/login")
    assert page["Cross-Origin-Opener-Policy"] == "unsafe-none"
    assert "no-store" in page["Cache-Control"]
    assert sign_in(client, "dana")["Cross-Origin-Opener-Policy"] == "unsafe-none"


def test_a_deactivated_user_cannot_sign_in(client, dana):
    User.objects.filter(pk=dana.pk).update(is_active=False)
    assert sign_in(client, "dana").status_code == 200
