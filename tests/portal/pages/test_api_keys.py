"""``/settings/keys``: API keys listed, created (sudo, secret once), revoked; the API's rules."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import AuditLogEntry
from auth.models import ApiKey
from auth.scopes import ALL_SCOPES
from tests.portal.pages.conftest import secret_on, text

pytestmark = pytest.mark.django_db

URL = "/settings/keys"


def test_the_empty_list_says_what_to_do(alice):
    page = alice.get(URL)
    assert page.status_code == 200
    assert "You have no API keys yet. Create one with the form above" in text(page)


def test_a_checkbox_for_every_scope_a_person_may_grant(alice):
    page = text(alice.get(URL))
    assert re.findall(r'name="scopes" value="([^"]+)"', page) == list(ALL_SCOPES)
    for scope in ALL_SCOPES:  # each labelled
        assert f'<label for="scopes-{scope.replace(":", "-")}" class="check">' in page


def test_a_new_key_is_shown_once_and_works_at_once(alice, client, user):
    made = alice.post(URL, {"name": "ci", "scopes": ["repos:read", "keys:read"], "expires": ""})
    assert made.status_code == 200
    assert "no-store" in made["Cache-Control"]
    secret = secret_on(made)
    assert f'curl -H "Authorization: token {secret}" http://testserver/api/v1/user' in text(made)
    key = ApiKey.objects.get(user=user)
    assert (key.name, key.scopes, key.expires) == ("ci", ["keys:read", "repos:read"], None)
    assert key.oauth_application_id is None  # a person's key is minted through no grant
    assert secret not in str(ApiKey.objects.values().get())  # only a hash is kept
    assert AuditLogEntry.objects.filter(user=user, action="api-key:create").count() == 1
    assert client.get("/api/v1/user", HTTP_AUTHORIZATION=f"token {secret}").json()["name"] == "alice"

    listed = text(alice.get(URL))
    assert "ci" in listed and secret not in listed and "never" in listed


def test_an_expiry_is_kept_and_a_past_one_refused(alice, user):
    later = (timezone.now() + timedelta(days=30)).strftime("%Y-%m-%dT%H:%M")
    alice.post(URL, {"name": "month", "scopes": ["repos:read"], "expires": later})
    expires = ApiKey.objects.get(user=user).expires
    assert expires is not None and expires.strftime("%Y-%m-%dT%H:%M") == later
    past = alice.post(URL, {"name": "past", "scopes": ["repos:read"], "expires": "2001-01-01T00:00"})
    assert past.status_code == 200 and "expires must be in the future" in text(past)
    assert ApiKey.objects.filter(user=user).count() == 1


def test_bad_input_is_shown_on_the_page_and_kept(alice, user):
    page = alice.post(URL, {"name": "", "scopes": []})
    assert page.status_code == 200
    body = text(page)
    assert 'id="name-error"' in body and 'id="scopes-error"' in body and "scopes may not be empty" in body
    kept = text(alice.post(URL, {"name": "kept", "scopes": ["nope:read", "repos:read"]}))
    assert "scopes must be one of" in kept and 'value="kept"' in kept
    assert 'value="repos:read" id="scopes-repos-read" checked' in kept
    assert not ApiKey.objects.filter(user=user).exists()


def test_creating_asks_for_the_password_when_the_confirmation_is_stale(stale, user):
    refused = stale.post(URL, {"name": "ci", "scopes": ["repos:read"]})
    assert refused.status_code == 302 and refused["Location"] == "/settings/confirm?next=%2Fsettings%2Fkeys"
    assert not ApiKey.objects.exists()
    user.set_password("pw")
    user.save()
    stale.force_login(user)
    back = stale.post("/settings/confirm", {"password": "pw", "next": "/settings/keys"})
    assert back["Location"] == URL
    assert stale.post(URL, {"name": "ci", "scopes": ["repos:read"]}).status_code == 200
    assert ApiKey.objects.count() == 1


def test_pages_of_keys(alice, make_key, per_page):
    keys = [make_key(name=f"key-{n}").api_key for n in range(3)]
    first = text(alice.get(URL))
    assert "key-2" in first and "key-1" in first and "key-0" not in first and "3 in all." in first
    older = re.search(r'href="(/settings/keys\?start=\d+)" rel="next"', first)
    assert older and older.group(1) == f"{URL}?start={keys[0].pk}"
    second = text(alice.get(older.group(1)))
    assert "key-0" in second and "key-1" not in second and 'rel="next"' not in second
    assert "key-2" in text(alice.get(f"{URL}?start=99999999999999999999"))  # past a bigint: the first page


def test_revoking_in_the_page_is_a_401_at_once(alice, client, make_key, user):
    issued = make_key(name="deploy")
    jwt = client.post(f"/api/v1/authenticate?apiKey={issued.secret}").json()["token"]
    assert client.get("/api/v1/user", HTTP_AUTHORIZATION=f"Bearer {jwt}").status_code == 200
    confirm = alice.get(f"{URL}/{issued.api_key.pk}/revoke")
    assert confirm.status_code == 200 and "Revoke the API key “deploy”?" in text(confirm)
    assert ApiKey.objects.filter(pk=issued.api_key.pk).exists()  # a GET changes nothing
    done = alice.post(f"{URL}/{issued.api_key.pk}/revoke")
    assert done.status_code == 302 and done["Location"] == URL
    assert client.get("/api/v1/user", HTTP_AUTHORIZATION=f"token {issued.secret}").status_code == 401
    assert client.get("/api/v1/user", HTTP_AUTHORIZATION=f"Bearer {jwt}").status_code == 401
    assert "was revoked" in text(alice.get(URL))
    assert AuditLogEntry.objects.filter(user=user, action="api-key:delete").count() == 1


def test_another_users_key_is_404(alice, make_key, other_user):
    theirs = make_key(owner=other_user).api_key
    assert alice.get(f"{URL}/{theirs.pk}/revoke").status_code == 404
    assert alice.post(f"{URL}/{theirs.pk}/revoke").status_code == 404
    assert ApiKey.objects.filter(pk=theirs.pk).exists()


def test_creating_keys_counts_in_the_apis_strict_scope(alice, rate_limits, user):
    rate_limits(apikey_create="1/3600+0")
    assert alice.post(URL, {"name": "one", "scopes": ["repos:read"]}).status_code == 200
    refused = alice.post(URL, {"name": "two", "scopes": ["repos:read"]})
    assert refused.status_code == 429 and refused["Retry-After"].isdigit()
    assert "You have done this too often" in text(refused)
    assert list(ApiKey.objects.values_list("name", flat=True)) == ["one"]


def test_with_redis_down_creating_keys_fails_closed_as_in_the_api(alice, stopped_redis):
    refused = alice.post(URL, {"name": "ci", "scopes": ["repos:read"]})
    assert refused.status_code == 503 and refused["Retry-After"].isdigit()
    assert "unavailable for a moment" in text(refused)
    assert not ApiKey.objects.exists()
