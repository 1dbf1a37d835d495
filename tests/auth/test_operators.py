"""Operators: the admin never shows a secret; the bootstrap commands print the key alone."""

import io
import re

import pytest
from django.core.management import call_command

from auth.models import ApiKey
from auth.services import api_key_verify

pytestmark = pytest.mark.django_db


def test_admin_lists_keys_without_secrets(admin_client, api_key):
    response = admin_client.get("/admin/api_auth/apikey/")
    html = response.content.decode()
    assert response.status_code == 200
    assert api_key.api_key.identifier in html
    assert api_key.api_key.secret_hash not in html
    detail = admin_client.get(f"/admin/api_auth/apikey/{api_key.api_key.pk}/change/").content.decode()
    assert api_key.api_key.secret_hash not in detail and api_key.secret.split("_")[2] not in detail


def test_admin_add_shows_the_new_secret_once(admin_client, user):
    response = admin_client.post(
        "/admin/api_auth/apikey/add/", {"user": user.pk, "name": "ops", "scopes": ["repos:read"]}, follow=True
    )
    html = response.content.decode()
    match = re.search(r"apisvc_[A-Za-z0-9]+_[A-Za-z0-9]+", html)
    assert match is not None
    secret = match.group(0)
    assert api_key_verify(secret).scopes == ["repos:read"]
    assert secret not in admin_client.get("/admin/api_auth/apikey/").content.decode()


def test_admin_revoke_action_deletes_and_marks(admin_client, api_key, redis_client):
    from auth.revocation import api_key_marker

    response = admin_client.post(
        "/admin/api_auth/apikey/", {"action": "revoke", "_selected_action": [api_key.api_key.pk]}, follow=True
    )
    assert response.status_code == 200
    assert not ApiKey.objects.filter(pk=api_key.api_key.pk).exists()
    assert redis_client.exists(api_key_marker(api_key.api_key.pk))


def test_create_user_and_create_api_key_print_the_secret_alone():
    call_command("create_user", "dave", "--email", "dave@example.org", stderr=io.StringIO())
    out = io.StringIO()
    call_command("create_api_key", "dave", "--name", "boot", "--scopes", "repos:read keys:write", stdout=out)
    secret = out.getvalue().strip()
    assert re.fullmatch(r"apisvc_[A-Za-z0-9]{10}_[A-Za-z0-9]{40}", secret)
    assert sorted(api_key_verify(secret).scopes) == ["keys:write", "repos:read"]


def test_create_api_key_refuses_unknown_scope_and_user():
    from django.core.management.base import CommandError

    call_command("create_user", "erin", stderr=io.StringIO())
    with pytest.raises(CommandError, match="unknown scope"):
        call_command("create_api_key", "erin", "--scopes", "root", stdout=io.StringIO())
    with pytest.raises(CommandError, match="no user"):
        call_command("create_api_key", "nobody", stdout=io.StringIO())


def test_create_user_reads_the_password_from_stdin(monkeypatch):
    from django.contrib.auth import get_user_model

    monkeypatch.setattr("sys.stdin", io.StringIO("s3cret-pass\n"))
    call_command("create_user", "frank", "--password-from-stdin", stderr=io.StringIO())
    assert get_user_model().objects.get(username="frank").check_password("s3cret-pass")
