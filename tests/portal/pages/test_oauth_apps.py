"""``/settings/applications``: OAuth applications registered (sudo, secret once), rotated, deleted."""

from __future__ import annotations

import pytest
from django.contrib.auth.hashers import check_password
from oauth2_provider.models import Application

from accounts.models import AuditLogEntry
from auth.oauth.services import OOB_URI, oauth_app_create
from tests.portal.pages.conftest import secret_on, text

pytestmark = pytest.mark.django_db

URL = "/settings/applications"
FORM = {
    "name": "CI",
    "redirect_uris": f"https://ci.example/cb\r\n{OOB_URI}\r\n",
    "scopes": ["repos:read", "keys:read"],
    "client_type": "confidential",
}


def register(user, client_type="confidential"):
    return oauth_app_create(
        user=user, name="Mine", redirect_uris=["https://ci.example/cb"], scopes=["repos:read"], client_type=client_type
    ).application


def test_the_empty_list_says_what_to_do(alice):
    page = alice.get(URL)
    assert page.status_code == 200 and "You have registered no OAuth applications yet." in text(page)


def test_a_confidential_application_gets_its_secret_once(alice, user):
    made = alice.post(URL, FORM)
    assert made.status_code == 200 and "no-store" in made["Cache-Control"]
    application = Application.objects.get(user=user)
    secret = secret_on(made)
    assert application.client_id in text(made)
    assert application.redirect_uris == f"https://ci.example/cb {OOB_URI}"
    assert sorted(application.api_client.scopes) == ["keys:read", "repos:read"]
    assert check_password(secret, application.client_secret) and secret not in application.client_secret
    assert AuditLogEntry.objects.filter(user=user, action="oauth-app:create").count() == 1
    listed = text(alice.get(URL))
    assert "CI" in listed and application.client_id in listed and secret not in listed


def test_a_public_application_has_no_secret(alice, user):
    made = text(alice.post(URL, {**FORM, "client_type": "public"}))
    assert "A public client has no secret" in made and 'class="secret"' not in made
    assert Application.objects.get(user=user).client_type == "public"


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("redirect_uris", "ftp://ci.example/cb", "'ftp://ci.example/cb' is not an absolute http(s) URI"),
        ("redirect_uris", "", "redirect_uris may not be empty"),
        ("scopes", [], "scopes may not be empty"),
        ("scopes", ["repos:admin"], 'scopes.0: "repos:admin" is not one of the allowed values'),
        ("client_type", "implicit", 'client_type must be one of public, confidential; got "implicit"'),
        ("name", "", "name may not be blank"),
    ],
)
def test_bad_input_is_shown_on_the_page(alice, field, value, message):
    page = alice.post(URL, {**FORM, field: value})
    assert page.status_code == 200
    assert f'<p class="error" role="alert" id="{field}-error">{message}' in text(page)
    assert not Application.objects.exclude(client_id="apiservice-docs").exists()


def test_registering_asks_for_the_password_when_the_confirmation_is_stale(stale):
    refused = stale.post(URL, FORM)
    assert refused.status_code == 302 and refused["Location"] == "/settings/confirm?next=%2Fsettings%2Fapplications"
    assert not Application.objects.exclude(client_id="apiservice-docs").exists()


def test_pages_of_applications(alice, user, per_page):
    for _ in range(3):
        register(user)
    page = text(alice.get(URL))
    assert page.count('<td data-label="Name"><a href="/settings/applications/') == 2
    assert 'rel="next"' in page and "3 in all." in page


def test_the_applications_page(alice, user):
    application = register(user)
    page = text(alice.get(f"{URL}/{application.client_id}"))
    assert application.client_id in page and "https://ci.example/cb" in page and "repos:read" in page
    assert "Rotate secret" in page and "Delete application" in page


def test_rotating_the_secret_shows_a_new_one_once_and_the_old_one_stops(alice, client, user):
    made = alice.post(URL, FORM)
    old = secret_on(made)
    application = Application.objects.get(user=user)
    rotate = f"{URL}/{application.client_id}/rotate-secret"
    assert "Give “CI” a new client secret?" in text(alice.get(rotate))
    rotated = alice.post(rotate)
    assert rotated.status_code == 200 and "no-store" in rotated["Cache-Control"]
    new = secret_on(rotated)
    assert new != old
    application.refresh_from_db()

    assert check_password(new, application.client_secret) and not check_password(old, application.client_secret)
    assert AuditLogEntry.objects.filter(user=user, action="oauth-app:rotate-secret").count() == 1


def test_rotating_asks_for_the_password_when_the_confirmation_is_stale(stale, user):
    application = register(user)
    rotate = f"{URL}/{application.client_id}/rotate-secret"
    for method in (stale.get, stale.post):
        refused = method(rotate)
        assert refused.status_code == 302 and refused["Location"].startswith("/settings/confirm?next=")
    before = application.client_secret
    application.refresh_from_db()
    assert application.client_secret == before


def test_a_public_client_has_nothing_to_rotate(alice, user):
    application = register(user, client_type="public")
    done = alice.post(f"{URL}/{application.client_id}/rotate-secret", follow=True)
    assert "a public client has no secret to rotate" in text(done)
    assert "Rotate secret" not in text(alice.get(f"{URL}/{application.client_id}"))


def test_deleting_an_application(alice, user):
    application = register(user)
    assert "Delete the application “Mine”?" in text(alice.get(f"{URL}/{application.client_id}/delete"))
    assert alice.post(f"{URL}/{application.client_id}/delete")["Location"] == URL
    assert not Application.objects.exclude(client_id="apiservice-docs").exists()
    assert AuditLogEntry.objects.filter(user=user, action="oauth-app:delete").count() == 1


def test_another_users_application_is_404(alice, other_user):
    theirs = register(other_user)
    for path in ("", "/rotate-secret", "/delete"):
        assert alice.get(f"{URL}/{theirs.client_id}{path}").status_code == 404
    for path in ("/rotate-secret", "/delete"):
        assert alice.post(f"{URL}/{theirs.client_id}{path}").status_code == 404
    assert Application.objects.filter(pk=theirs.pk).exists()
