"""``PUT /user/profile`` with a new ``email``: kept pending and mailed, never applied on a
credential's word alone (a credential limited to ``profile`` must not be able to take the
account by moving its address and asking for a password reset)."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from django.test import Client

from accounts.models import AuditLogEntry, User
from tests.portal.conftest import PASSWORD, sign_in
from webhooks.models import Event

pytestmark = pytest.mark.django_db


def put_profile(api_client, headers, **body):
    return api_client.put("/api/v1/user/profile", body, format="json", **headers)


@pytest.fixture
def alice(user):
    user.set_password(PASSWORD)
    user.email_verified = True
    user.save()
    return user


def test_a_new_email_is_pending_until_its_link_is_followed_signed_in(api_client, headers_for, alice, smtp_server):
    response = put_profile(api_client, headers_for(alice, ["profile:write"]), email="alice@new.example", bio="hi")
    assert response.status_code == 200
    body = response.json()
    assert (body["email"], body["bio"]) == ("alice@example.org", "hi")  # the bio at once, the address not yet
    alice.refresh_from_db()
    assert (alice.email, alice.pending_email) == ("alice@example.org", "alice@new.example")
    actions = list(AuditLogEntry.objects.filter(user=alice).order_by("id").values_list("action", "details"))
    assert actions[-2:] == [("profile:update", "bio"), ("email:change-request", "alice@new.example")]
    assert [event.payload["email"] for event in Event.objects.filter(name="profile:update")] == ["alice@example.org"]
    assert "alice@new.example" in smtp_server.last(to="alice@example.org").body  # the current address is told

    path = urlsplit(smtp_server.last(to="alice@new.example").link()).path
    anonymous = Client()
    assert anonymous.post(path)["Location"].startswith("/login?next=")  # reading the mail is not enough
    assert User.objects.get(pk=alice.pk).email == "alice@example.org"

    browser = Client()
    sign_in(browser, "alice")
    assert browser.post(path)["Location"] == "/settings/profile"
    alice.refresh_from_db()
    assert (alice.email, alice.pending_email) == ("alice@new.example", "")
    assert Event.objects.filter(name="profile:update").latest("id").payload["email"] == "alice@new.example"
    assert api_client.get("/api/v1/user", **headers_for(alice, ["profile:read"])).json()["email"] == "alice@new.example"


def test_a_profile_credential_cannot_take_the_account_by_mail(api_client, headers_for, alice, smtp_server):
    """The attack: move the address to one the credential's holder reads, follow the link
    from there, then reset the password by mail. Each step fails."""
    stolen = headers_for(alice, ["profile:write"])
    assert put_profile(api_client, stolen, email="mallory@evil.example").status_code == 200
    path = urlsplit(smtp_server.last(to="mallory@evil.example").link()).path
    mallory = Client()
    assert mallory.get(path)["Location"].startswith("/login?next=")
    assert mallory.post(path)["Location"].startswith("/login?next=")
    # the pending address signs nobody in and gets no password-reset mail
    assert "did not match" in sign_in(mallory, "mallory@evil.example").content.decode()
    before = len(smtp_server.received)
    mallory.post("/password/reset", {"email": "mallory@evil.example"})
    assert len(smtp_server.received) == before
    alice.refresh_from_db()
    assert alice.email == "alice@example.org"


def test_an_address_in_use_is_refused_and_nothing_else_is_applied(
    api_client, headers_for, alice, django_user_model, smtp_server
):
    django_user_model.objects.create_user("erin", email="erin@example.org")
    response = put_profile(api_client, headers_for(alice, ["profile:write"]), email="ERIN@example.org", bio="hi")
    assert response.status_code == 400
    assert response.json() == {"errors": [{"field": "email", "reason": "an account already uses this email address"}]}
    alice.refresh_from_db()
    assert (alice.bio, alice.pending_email) == ("", "")
    assert smtp_server.received == []


def test_the_same_address_in_another_case_is_no_change(api_client, headers_for, alice, smtp_server):
    response = put_profile(api_client, headers_for(alice, ["profile:write"]), email="Alice@Example.org")
    assert response.status_code == 200 and response.json()["email"] == "alice@example.org"
    alice.refresh_from_db()
    assert alice.pending_email == "" and smtp_server.received == []
    assert not AuditLogEntry.objects.filter(user=alice, action__startswith="email:").exists()


def test_a_read_credential_cannot_ask_for_a_change(api_client, headers_for, alice, smtp_server):
    response = put_profile(api_client, headers_for(alice, ["profile:read"]), email="mallory@evil.example")
    assert response.status_code == 403
    assert User.objects.get(pk=alice.pk).pending_email == "" and smtp_server.received == []
