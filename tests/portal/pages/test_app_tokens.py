"""``/settings/tokens``: Quay's app tokens listed, created (sudo, token once), revoked."""

from __future__ import annotations

import pytest

from auth.models import ApiKey
from tests.portal.pages.conftest import secret_on, text

pytestmark = pytest.mark.django_db

URL = "/settings/tokens"


def test_the_empty_list_says_what_to_do(alice):
    assert "You have no app tokens yet. Create one with the form above" in text(alice.get(URL))


def test_a_new_token_acts_with_every_scope_and_is_shown_once(alice, client, user):
    made = alice.post(URL, {"title": "Quay CLI"})
    assert made.status_code == 200 and "no-store" in made["Cache-Control"]
    secret = secret_on(made)
    token = ApiKey.objects.get(user=user)
    assert (token.name, token.scopes) == ("Quay CLI", ["*"]) and str(token.uuid) in text(made)
    listed = client.get("/api/v1/user/apptoken", HTTP_AUTHORIZATION=f"token {secret}").json()["tokens"]
    assert [row["title"] for row in listed] == ["Quay CLI"]
    page = text(alice.get(URL))
    assert "Quay CLI" in page and secret not in page


def test_bad_input_is_shown(alice):
    page = alice.post(URL, {"title": "x" * 129})
    assert (
        page.status_code == 200
        and 'id="title-error"' in text(page)
        and "title must have at most 128 characters" in text(page)
    )
    assert not ApiKey.objects.exists()


def test_creating_asks_for_the_password_when_the_confirmation_is_stale(stale):
    refused = stale.post(URL, {"title": "CI"})
    assert refused.status_code == 302 and refused["Location"].startswith("/settings/confirm?next=")
    assert not ApiKey.objects.exists()


def test_pages_of_tokens(alice, make_key, per_page):
    for n in range(3):
        make_key(name=f"token-{n}")
    first = text(alice.get(URL))
    assert "token-2" in first and "token-0" not in first and 'rel="next"' in first


def test_revoking_in_the_page_is_a_401_at_once(alice, client, make_key):
    issued = make_key(name="quay")
    uuid = issued.api_key.uuid
    assert "Revoke the app token “quay”?" in text(alice.get(f"{URL}/{uuid}/revoke"))
    assert alice.post(f"{URL}/{uuid}/revoke")["Location"] == URL
    assert client.get("/api/v1/user", HTTP_AUTHORIZATION=f"token {issued.secret}").status_code == 401


def test_another_users_token_is_404(alice, make_key, other_user):
    theirs = make_key(owner=other_user).api_key
    assert alice.post(f"{URL}/{theirs.uuid}/revoke").status_code == 404
    assert alice.get(f"{URL}/00000000-0000-0000-0000-000000000000/revoke").status_code == 404
    assert ApiKey.objects.filter(pk=theirs.pk).exists()
