"""``/signup``: closed by default; open; by single-use, expiring invitation. The address is
confirmed through a link mailed over real SMTP before the account can sign in."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import ImproperlyConfigured
from django.test import Client
from django.utils import timezone

from accounts.models import User
from portal import conf
from portal.models import Invite
from portal.services.invites import invite_create
from tests.portal.conftest import PASSWORD, audit_actions, sign_in

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a long enough passphrase 42"


def form(username="erin", email="erin@example.org", password=NEW_PASSWORD, **extra):
    return {"username": username, "email": email, "password1": password, "password2": password, **extra}


def test_sign_up_is_closed_by_default(client):
    page = client.get("/signup")
    assert page.status_code == 200 and "Sign-up is closed" in page.content.decode()
    client.post("/signup", form())
    assert not User.objects.filter(username="erin").exists()
    assert "Create an account" not in client.get("/login").content.decode()


@pytest.mark.parametrize("value", ["Open", "public", "invite-only", "none"])
def test_an_unknown_registration_mode_refuses_to_start(monkeypatch, value):
    monkeypatch.setenv("ACCOUNT_REGISTRATION", value)
    with pytest.raises(ImproperlyConfigured, match="ACCOUNT_REGISTRATION must be closed, open or invite"):
        conf.from_env()


def test_open_sign_up_mails_a_link_and_only_the_confirmed_account_signs_in(client, portal, smtp_server):
    portal(REGISTRATION="open")
    assert "Create an account" in client.get("/login").content.decode()
    sent = client.post("/signup", form())
    assert sent.status_code == 200 and "Check your email" in sent.content.decode()
    user = User.objects.get(username="erin")
    assert not user.email_verified and user.check_password(NEW_PASSWORD)
    assert "Confirm your email address first" in sign_in(client, "erin", NEW_PASSWORD).content.decode()

    mail = smtp_server.last(to="erin@example.org")
    assert mail.subject == "Confirm your email address for apiservice"
    path = urlsplit(mail.link()).path
    page = client.get(path)
    assert "Verify email address" in page.content.decode()
    User.objects.filter(pk=user.pk).update()  # a GET changed nothing
    assert not User.objects.get(pk=user.pk).email_verified
    confirmed = client.post(path)
    assert confirmed.status_code == 302 and confirmed["Location"] == "/login"
    assert User.objects.get(pk=user.pk).email_verified
    assert "This link is not valid" in client.get(path).content.decode()  # used
    assert sign_in(client, "erin", NEW_PASSWORD)["Location"] == "/settings/"
    assert audit_actions(user) == ["account:signup", "email:verify", "account:sign-in"]


@pytest.mark.parametrize(
    ("fields", "field", "reason"),
    [
        (form(username="Dana"), "username", "A user with that username already exists."),
        (form(email="DANA@example.org"), "email", "An account already uses this email address."),
        (form(password="password"), "password2", "This password is too common."),
        (form(username="a b"), "username", "Enter a valid username."),
        ({**form(), "password2": "something else"}, "password2", "didn’t match"),
    ],
)
def test_sign_up_errors_are_shown_by_their_fields(client, portal, dana, fields, field, reason):
    portal(REGISTRATION="open")
    page = client.post("/signup", fields)
    html = page.content.decode()
    assert page.status_code == 200 and reason in html
    assert f'id="id_{field}-error"' in html and 'aria-invalid="true"' in html
    assert not User.objects.filter(email="erin@example.org").exists()


def test_a_deleted_accounts_name_stays_taken(client, portal, dana):
    from resources.services.account import user_delete

    user_delete(user=dana, ip=None)
    portal(REGISTRATION="open")
    page = client.post("/signup", form(username="dana"))
    assert "A user with that username already exists." in page.content.decode()


def test_sign_ups_are_limited_per_address(portal):
    portal(REGISTRATION="open", MAIL_RATE="2/h")
    browser = Client(REMOTE_ADDR="198.51.100.20")
    statuses = [browser.post("/signup", form(username="x")).status_code for _ in range(3)]
    assert statuses == [200, 200, 429]


def test_by_invitation_the_link_works_once(client, portal, dana, smtp_server):
    portal(REGISTRATION="invite")
    assert "Sign-up is by invitation" in client.get("/signup").content.decode()
    issued = invite_create(created_by=dana, note="for Erin", ip=None)
    page = client.get(f"/signup?invite={issued.token}")
    assert "Create account" in page.content.decode() and issued.token in page.content.decode()
    assert client.post("/signup", form(invite=issued.token)).status_code == 200
    invite = Invite.objects.get(pk=issued.invite.pk)
    assert invite.used_by == User.objects.get(username="erin") and invite.used_at is not None
    again = client.post("/signup", form(username="gus", email="gus@example.org", invite=issued.token))
    assert "This invitation is not valid" in again.content.decode()
    assert not User.objects.filter(username="gus").exists()
    assert audit_actions(invite.used_by) == ["account:signup"]


def test_an_expired_or_unknown_invitation_is_refused(client, portal, dana):
    portal(REGISTRATION="invite")
    issued = invite_create(created_by=dana, note="", ip=None, expires=timezone.now() - timedelta(seconds=1))
    for token in (issued.token, "not-a-token"):
        page = client.post("/signup", form(invite=token))
        assert "This invitation is not valid" in page.content.decode()
    assert not User.objects.filter(username="erin").exists()


def test_the_invitations_page_is_for_those_allowed(client, portal, dana):
    portal(REGISTRATION="invite")
    client.force_login(dana)
    assert client.get("/settings/invites").status_code == 404
    dana.user_permissions.add(Permission.objects.get(codename="add_invite"))
    empty = client.get("/settings/invites")
    assert "You have not invited anyone yet" in empty.content.decode()
    made = client.post("/settings/invites", {"note": "for Hal"})
    html = made.content.decode()
    assert made.status_code == 200 and "no-store" in made["Cache-Control"]
    link = html.split('id="invite-link">')[1].split("<")[0]
    token = link.split("invite=")[1]
    invite = Invite.objects.get(created_by=dana)
    assert invite.token_hash != token and token not in str(Invite.objects.values().get())  # only its hash is kept
    assert "for Hal" in client.get("/settings/invites").content.decode()
    assert token not in client.get("/settings/invites").content.decode()  # shown once
    assert "invite:create" in audit_actions(dana)


def test_the_invitations_page_pages(client, portal, dana, monkeypatch):
    monkeypatch.setattr("portal.paging.PER_PAGE", 2)
    dana.is_superuser = True
    dana.save()
    for n in range(3):
        invite_create(created_by=dana, note=f"person {n}", ip=None)
    client.force_login(dana)
    first = client.get("/settings/invites").content.decode()
    assert "person 2" in first and "person 1" in first and "person 0" not in first and "3 in all" in first
    older = first.split('rel="next"')[0].rsplit('href="', 1)[1].split('"')[0]
    assert "person 0" in client.get(older.replace("&amp;", "&")).content.decode()


def test_operators_make_invitations_in_the_admin_and_see_the_link_once(admin_client, portal):
    portal(REGISTRATION="invite")
    response = admin_client.post(
        "/admin/portal/invite/add/",
        {"note": "for Ida", "expires_0": "2099-01-01", "expires_1": "00:00:00"},
        follow=True,
    )
    html = response.content.decode()
    assert "The invite link, shown this once" in html
    token = html.split("/signup?invite=")[1].split("<")[0]
    invite = Invite.objects.get(note="for Ida")
    assert invite.created_by is not None and invite.created_by.username == "admin"
    assert "Create account" in Client().get(f"/signup?invite={token}").content.decode()


def test_the_confirmation_link_is_for_its_account_only(client, portal, smtp_server):
    portal(REGISTRATION="open")
    client.post("/signup", form())
    path = urlsplit(smtp_server.last(to="erin@example.org").link()).path
    uid, token = path.rstrip("/").split("/")[-2:]
    assert "This link is not valid" in client.get(f"/signup/verify/{uid}/{token[:-1]}x").content.decode()
    assert "This link is not valid" in client.get(f"/signup/verify/MTIzNDU2Nzg/{token}").content.decode()
    assert "This link is not valid" in client.get(f"/signup/verify/!!/{token}").content.decode()
    assert PASSWORD  # the fixtures' password is not the new account's
