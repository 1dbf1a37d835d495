"""The Profile page: the API's validation and service; a new email address confirmed by mail
before it counts; deleting the account (sudo mode): everything goes, in batches, audited,
the name kept."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from urllib.parse import quote, urlsplit

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from oauth2_provider.models import get_access_token_model, get_application_model, get_refresh_token_model

from accounts.models import AuditLogEntry, User, UserSession
from auth.oauth.services import oauth_app_create
from auth.revocation import api_key_marker, user_marker
from resources.models import OwnerCount, PGPKey, Repository, SSHKey
from resources.services.account import user_delete
from resources.services.keys import pgp_key_add, ssh_key_add
from resources.services.repos import repo_create
from tests.portal.conftest import PASSWORD, audit_actions, sign_in, stale_sudo
from webhooks.models import Delivery, DeliveryAttempt, Event, Subscription

pytestmark = pytest.mark.django_db

KEYS = Path(__file__).resolve().parents[1] / "resources" / "fixtures"


def test_the_profile_is_saved_through_the_apis_service(client, dana):
    client.force_login(dana)
    page = client.get("/settings/profile")
    assert "~dana" in page.content.decode() and "You have no PGP keys yet" in page.content.decode()
    saved = client.post("/settings/profile", {"url": "https://dana.example", "location": "Lyon", "bio": "hi"})
    assert saved["Location"] == "/settings/profile"
    dana.refresh_from_db()
    assert (dana.url, dana.location, dana.bio) == ("https://dana.example", "Lyon", "hi")
    assert audit_actions(dana) == ["profile:update"]
    assert "Your profile is saved." in client.get("/settings/profile").content.decode()


@pytest.mark.parametrize(
    ("fields", "field", "reason"),
    [({"url": "not a url"}, "url", "Enter a valid URL."),
     ({"use_pgp_key": "ABCD"}, "use_pgp_key", "use_pgp_key must be the fingerprint of one of your PGP keys"),
     ({"location": "x" * 257}, "location", "no more than 256 characters")],
)  # fmt: skip
def test_bad_profile_input_is_shown_by_its_field(client, dana, fields, field, reason):
    client.force_login(dana)
    page = client.post("/settings/profile", fields)
    html = page.content.decode()
    assert page.status_code == 200 and reason in html and f'id="id_{field}-error"' in html
    assert AuditLogEntry.objects.filter(user=dana).count() == 0


def test_the_preferred_pgp_key_is_chosen_from_ones_own(client, dana):
    key = pgp_key_add(owner=dana, text=(KEYS / "pgp_ed25519.asc").read_text(), ip=None)
    client.force_login(dana)
    assert key.fingerprint in client.get("/settings/profile").content.decode()
    client.post("/settings/profile", {"use_pgp_key": key.fingerprint})
    assert PGPKey.objects.get(pk=key.pk).preferred


def test_a_new_email_address_counts_once_its_link_is_followed(client, dana, smtp_server):
    sign_in(client, "dana")
    asked = client.post("/settings/profile/email", {"email": "dana@new.example", "next": "/settings/profile"})
    assert asked["Location"] == "/settings/profile"
    dana.refresh_from_db()
    assert (dana.email, dana.pending_email) == ("dana@example.org", "dana@new.example")
    notice = smtp_server.last(to="dana@example.org")
    assert "dana@new.example" in notice.body and notice.subject == "Your apiservice email address is being changed"
    path = urlsplit(smtp_server.last(to="dana@new.example").link()).path
    assert Client().get(path)["Location"] == f"/login?next={quote(path)}"  # signed in as the account only
    assert Client().post(path)["Location"] == f"/login?next={quote(path)}"
    assert User.objects.get(pk=dana.pk).pending_email == "dana@new.example"
    assert "Confirm email address" in client.get(path).content.decode()
    assert client.post(path)["Location"] == "/settings/profile"
    dana.refresh_from_db()
    assert (dana.email, dana.pending_email, dana.email_verified) == ("dana@new.example", "", True)
    assert audit_actions(dana)[-2:] == ["email:change-request", "profile:update"]
    assert "This link is not valid" in client.post(path).content.decode()  # used


def test_a_link_for_another_account_changes_nothing(client, dana, django_user_model, smtp_server):
    sign_in(client, "dana")
    client.post("/settings/profile/email", {"email": "dana@new.example"})
    path = urlsplit(smtp_server.last(to="dana@new.example").link()).path
    django_user_model.objects.create_user("erin", email="erin@example.org", password=PASSWORD)
    other = Client()
    sign_in(other, "erin")
    for response in (other.get(path), other.post(path)):
        assert "This link is for another account" in response.content.decode()
    dana.refresh_from_db()
    assert (dana.email, dana.pending_email) == ("dana@example.org", "dana@new.example")


def test_changing_the_email_address_asks_for_the_password_when_stale(client, dana, smtp_server):
    sign_in(client, "dana")
    stale_sudo(client)
    asked = client.post("/settings/profile/email", {"email": "dana@new.example", "next": "/settings/profile"})
    assert asked["Location"] == "/settings/confirm?next=%2Fsettings%2Fprofile"
    assert User.objects.get(pk=dana.pk).pending_email == "" and smtp_server.received == []


@pytest.mark.parametrize(
    ("email", "reason"),
    [("dana@example.org", "That is your email address already."), ("ERIN@example.org", "An account already uses this email address."),
     ("no", "Enter a valid email address.")],
)  # fmt: skip
def test_an_email_address_that_cannot_be_used(client, dana, django_user_model, smtp_server, email, reason):
    django_user_model.objects.create_user("erin", email="erin@example.org")
    sign_in(client, "dana")
    page = client.post("/settings/profile/email", {"email": email})
    assert page.status_code == 200 and reason in page.content.decode()
    assert smtp_server.received == []


@pytest.fixture
def everything(dana, other_user, make_key):
    """dana's keys, tokens, an application and a grant, SSH/PGP keys, repositories, a webhook with deliveries."""
    key = make_key(owner=dana)
    app = oauth_app_create(
        user=dana, name="Dana's CI", redirect_uris=["https://ci.example/cb"], scopes=["repos:read"]
    ).application
    theirs = oauth_app_create(
        user=other_user, name="Bob's app", redirect_uris=["https://b.example/cb"], scopes=["repos:read"]
    ).application
    expires = timezone.now() + timedelta(hours=1)
    for application, user in ((app, other_user), (theirs, dana)):
        token = get_access_token_model().objects.create(
            user=user, application=application, token=f"t{user.pk}", scope="repos:read", expires=expires
        )
        get_refresh_token_model().objects.create(
            user=user, application=application, token=f"r{user.pk}", access_token=token
        )
    ssh_key_add(owner=dana, text=(KEYS / "ssh_ed25519.pub").read_text(), ip=None)
    pgp_key_add(owner=dana, text=(KEYS / "pgp_ed25519.asc").read_text(), ip=None)
    subscription = Subscription.objects.create(user=dana, url="https://hooks.example/x", events=["repo:create"])
    for n in range(7):
        repo_create(owner=dana, name=f"repo{n}", ip=None)
    delivery = Delivery.objects.filter(subscription=subscription).first()
    assert delivery is not None
    DeliveryAttempt.objects.create(delivery=delivery, response_status=500)
    return key, app, theirs  # fmt: skip


def test_deleting_the_account_removes_everything_and_keeps_a_tombstone(
    client, dana, other_user, everything, redis_client
):
    key, app, theirs = everything
    sign_in(client, "dana")
    other = Client()
    sign_in(other, "dana")
    TOTPDevice.objects.create(user=dana, name="app", confirmed=True)
    page = client.get("/settings/profile/delete")
    assert "Type your username to confirm" in page.content.decode()
    wrong = client.post("/settings/profile/delete", {"username": "Dana"})
    assert "Type dana exactly" in wrong.content.decode() and User.objects.get(pk=dana.pk).is_active
    done = client.post("/settings/profile/delete", {"username": "dana"})
    assert done.status_code == 200 and "Your account is deleted" in done.content.decode()

    user = User.objects.get(pk=dana.pk)
    assert (user.username, user.is_active, user.email, user.has_usable_password()) == ("dana", False, "", False)
    assert not get_application_model().objects.filter(pk=app.pk).exists()
    assert get_application_model().objects.filter(pk=theirs.pk).exists()  # someone else's app stays
    assert not get_access_token_model().objects.filter(user=dana).exists()
    assert not get_access_token_model().objects.filter(application=app).exists()  # the tokens people gave dana's app
    assert not get_refresh_token_model().objects.filter(user=dana).exists()
    for model, owner in ((SSHKey, "owner"), (PGPKey, "owner"), (Repository, "owner"), (Subscription, "user"), (Event, "user"),
                         (UserSession, "user"), (TOTPDevice, "user")):  # fmt: skip
        assert not model.objects.filter(**{owner: dana}).exists(), model
    assert not Delivery.objects.exists() and not DeliveryAttempt.objects.exists()
    assert OwnerCount.objects.get(owner_id=dana.pk, kind="repo").n == 0
    assert redis_client.exists(api_key_marker(key.api_key.pk)) and redis_client.exists(user_marker(dana.pk))
    assert client.get("/api/v1/user", HTTP_AUTHORIZATION=f"Bearer {key.secret}").status_code == 401
    assert other.get("/settings/profile").status_code == 302  # the other browser is signed out
    assert sign_in(Client(), "dana").status_code == 200  # nobody signs in as dana
    last = AuditLogEntry.objects.filter(user=dana).latest("id")
    assert last.action == "account:delete"
    assert (
        "1 API keys and app tokens" in last.details
        and "7 repositories" in last.details
        and "1 subscriptions" in last.details
    )


def test_deleting_asks_for_the_password_when_stale(client, dana):
    sign_in(client, "dana")
    stale_sudo(client)
    assert client.get("/settings/profile/delete")["Location"] == "/settings/confirm?next=%2Fsettings%2Fprofile%2Fdelete"
    assert client.post("/settings/profile/delete", {"username": "dana"}).status_code == 302
    assert User.objects.get(pk=dana.pk).is_active


def test_deletion_goes_in_batches_of_short_transactions(dana, django_assert_max_num_queries):
    Repository.objects.bulk_create([Repository(owner=dana, name=f"r{n}") for n in range(25)])
    with django_assert_max_num_queries(80) as captured:
        counts = user_delete(user=dana, ip=None, batch_size=10)
    assert counts["repositories"] == 25
    deletes = [q["sql"] for q in captured.captured_queries if q["sql"].startswith('DELETE FROM "resources_repository"')]
    assert len(deletes) == 3  # 10 + 10 + 5, each in its own transaction
    assert user_delete(user=User.objects.get(pk=dana.pk), ip=None)["repositories"] == 0  # again: nothing left


def test_django_sessions_of_a_deleted_account_are_useless(client, dana):
    sign_in(client, "dana")
    user_delete(user=dana, ip=None)
    assert Session.objects.exists()  # the rows may stay until they expire, but
    assert client.get("/settings/profile").status_code == 302  # they sign nobody in
    assert PASSWORD
