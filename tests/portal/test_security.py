"""The Security page: sessions listed and "sign out others"; the password changed (others
signed out) and reset by mail (every session signed out); signed-out visitors and forged
POSTs refused on every settings page."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from django.test import Client

from accounts.models import User, UserSession
from accounts.sessions import key_hash
from tests.portal.conftest import PASSWORD, audit_actions, sign_in

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "another long passphrase 7"
PAGES = [
    "/settings/profile", "/settings/security", "/settings/security/password", "/settings/security/two-factor",
    "/settings/profile/delete", "/settings/invites",
]  # fmt: skip
POSTS = [
    "/settings/profile", "/settings/profile/email", "/settings/security/two-factor/disable",
    "/settings/security/recovery-codes", "/settings/security/sessions/sign-out-others", "/settings/invites",
    "/settings/security/password", "/settings/profile/delete",
]  # fmt: skip


@pytest.mark.parametrize("path", PAGES)
def test_a_signed_out_visitor_is_sent_to_sign_in(client, path):
    response = client.get(path)
    assert response.status_code == 302 and response["Location"] == f"/login?next={path}"


@pytest.mark.parametrize("path", POSTS)
def test_a_post_without_the_csrf_token_is_refused(dana, path):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(dana)
    assert browser.post(path, {}).status_code == 403


def test_the_sessions_are_listed_with_this_one_marked(client, dana):
    sign_in(client, "dana", headers={"User-Agent": "Firefox/140.0"})
    other = Client(REMOTE_ADDR="198.51.100.9", headers={"User-Agent": "Lynx/2.9"})
    sign_in(other, "dana")
    html = client.get("/settings/security").content.decode()
    assert 'Firefox/140.0 <span class="badge">this session</span>' in html
    assert "Lynx/2.9" in html and "198.51.100.9" in html and "2 in all" in html


def test_signing_out_the_others_ends_their_sessions_and_keeps_this_one(client, dana):
    sign_in(client, "dana")
    other = Client()
    sign_in(other, "dana")
    assert other.get("/settings/profile").status_code == 200
    done = client.post("/settings/security/sessions/sign-out-others")
    assert done.status_code == 302 and done["Location"] == "/settings/security"
    assert other.get("/settings/profile")["Location"] == "/login?next=/settings/profile"
    assert client.get("/settings/profile").status_code == 200
    assert list(UserSession.objects.filter(user=dana).values_list("key_hash", flat=True)) == [
        key_hash(client.session.session_key)
    ]
    assert "sessions:sign-out-others" in audit_actions(dana)
    assert sign_in(other, "dana")["Location"] == "/settings/"  # signing in again works


def test_last_seen_is_written_at_most_every_few_minutes(client, dana):
    sign_in(client, "dana")
    row = UserSession.objects.get(user=dana)
    UserSession.objects.filter(pk=row.pk).update(last_seen=row.last_seen.replace(year=2020))
    client.get("/settings/security")
    seen = UserSession.objects.get(pk=row.pk).last_seen
    assert seen.year > 2020
    client.get("/settings/profile")
    assert UserSession.objects.get(pk=row.pk).last_seen == seen


def test_changing_the_password_signs_out_the_other_sessions(client, dana):
    sign_in(client, "dana")
    other = Client()
    sign_in(other, "dana")
    wrong = client.post(
        "/settings/security/password",
        {"old_password": "nope", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert wrong.status_code == 200 and 'id="id_old_password-error"' in wrong.content.decode()
    done = client.post(
        "/settings/security/password",
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert done["Location"] == "/settings/security"
    assert client.get("/settings/profile").status_code == 200
    assert other.get("/settings/profile").status_code == 302
    assert UserSession.objects.filter(user=dana).count() == 1
    assert "password:change" in audit_actions(dana)


def test_a_password_reset_by_mail(client, dana, smtp_server):
    signed_in = Client()
    sign_in(signed_in, "dana")
    unknown = client.post("/password/reset", {"email": "nobody@example.org"})
    known = client.post("/password/reset", {"email": "DANA@example.org"})
    assert unknown["Location"] == known["Location"] == "/password/reset/sent"  # nothing tells them apart
    assert [mail.to for mail in smtp_server.received] == ["dana@example.org"]
    path = urlsplit(smtp_server.last(to="dana@example.org").link()).path
    form_page = client.get(path, follow=True)
    assert "Choose a new password" in form_page.content.decode()
    set_url = form_page.redirect_chain[-1][0]
    done = client.post(set_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert done["Location"] == "/password/reset/done"
    assert signed_in.get("/settings/profile").status_code == 302  # every session signed out
    assert not UserSession.objects.filter(user=dana).exists()
    assert sign_in(client, "dana", NEW_PASSWORD)["Location"] == "/settings/"
    assert "This link is not valid" in Client().get(path, follow=True).content.decode()  # used
    assert "password:reset" in audit_actions(dana)


def test_a_reset_confirms_an_unconfirmed_address(client, django_user_model, smtp_server):
    user = django_user_model.objects.create_user(
        "fay", email="fay@example.org", password=PASSWORD, email_verified=False
    )
    client.post("/password/reset", {"email": "fay@example.org"})
    page = client.get(urlsplit(smtp_server.last(to="fay@example.org").link()).path, follow=True)
    client.post(page.redirect_chain[-1][0], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert User.objects.get(pk=user.pk).email_verified


def test_password_resets_are_limited_per_address_and_per_email(portal, dana, smtp_server):
    portal(MAIL_RATE="2/h")
    browser = Client(REMOTE_ADDR="198.51.100.30")
    statuses = [browser.post("/password/reset", {"email": f"x{n}@example.org"}).status_code for n in range(3)]
    assert statuses == [302, 302, 429]
    statuses = [
        Client(REMOTE_ADDR=f"198.51.100.{40 + n}").post("/password/reset", {"email": "dana@example.org"}).status_code
        for n in range(3)
    ]
    assert statuses == [302, 302, 429]
    assert len(smtp_server.to("dana@example.org")) == 2
