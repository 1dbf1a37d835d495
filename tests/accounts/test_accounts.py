"""Users made by operators can sign in; the sessions hash signs out every session when raised."""

from __future__ import annotations

import io
from urllib.parse import urlsplit

import pytest
from django.contrib.auth import SESSION_KEY
from django.core.management import call_command
from django.test import Client

from accounts.models import User
from accounts.sessions import sessions_end_others

pytestmark = pytest.mark.django_db

PASSWORD = "a long enough passphrase 42"


def test_a_user_made_with_a_password_from_stdin_signs_in(monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    out = io.StringIO()
    call_command(
        "create_user", "gil", "--email", "gil@example.org", "--password-from-stdin", stdout=out, stderr=io.StringIO()
    )
    assert out.getvalue() == ""  # no link: the user has a password
    browser = Client()
    assert browser.post("/login", {"username": "gil", "password": PASSWORD})["Location"] == "/settings/"


def test_a_user_made_without_one_gets_a_one_time_link_to_choose_it():
    out, err = io.StringIO(), io.StringIO()
    call_command("create_user", "hal", "--base-url", "https://api.example.org/", stdout=out, stderr=err)
    link = out.getvalue().strip()
    assert link.startswith("https://api.example.org/password/reset/") and "choose one" in err.getvalue()
    assert not User.objects.get(username="hal").has_usable_password()
    browser = Client()
    page = browser.get(urlsplit(link).path, follow=True)
    assert "Choose a new password" in page.content.decode()
    browser.post(page.redirect_chain[-1][0], {"new_password1": PASSWORD, "new_password2": PASSWORD})
    assert browser.post("/login", {"username": "hal", "password": PASSWORD})["Location"] == "/settings/"
    again = Client().get(urlsplit(link).path, follow=True)
    assert "This link is not valid" in again.content.decode()  # once


def test_raising_the_sessions_epoch_signs_out_every_session(django_user_model):
    user = django_user_model.objects.create_user("ivy", password=PASSWORD)
    django_hash = user.get_session_auth_hash()
    browsers = [Client(), Client()]
    for browser in browsers:
        browser.force_login(user)
    sessions_end_others(user=user, keep=None)
    assert user.sessions_epoch == 1 and user.get_session_auth_hash() != django_hash
    for browser in browsers:
        browser.get("/settings/profile")
        assert SESSION_KEY not in browser.session


def test_epoch_zero_keeps_djangos_own_hash_so_existing_sessions_survive_the_upgrade(django_user_model, settings):
    from django.contrib.auth.base_user import AbstractBaseUser

    user = django_user_model.objects.create_user("jo", password=PASSWORD)
    assert user.get_session_auth_hash() == AbstractBaseUser.get_session_auth_hash(user)
    settings.SECRET_KEY_FALLBACKS = ["an-old-key-0123456789-0123456789-0123456789-0123456789"]
    user.sessions_epoch = 2
    fallback = list(user.get_session_auth_fallback_hash())
    assert len(fallback) == 1 and fallback[0] != user.get_session_auth_hash()
