"""Two-factor authentication: enrolment (QR code drawn here, sudo mode), ten recovery codes
shown once, the second sign-in step, disabling with the password and a code, and staff who
must use it (the portal's sign-in and the admin)."""

from __future__ import annotations

import re
import time

import pytest
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from portal.services import twofactor
from portal.views.signin import PENDING
from tests.portal.conftest import PASSWORD, app_code, audit_actions, sign_in, stale_sudo

pytestmark = pytest.mark.django_db


def enable(client: Client, user) -> tuple[TOTPDevice, list[str]]:
    """Turn 2FA on through the pages; the device and the recovery codes shown."""
    page = client.get("/settings/security/two-factor")
    assert page.status_code == 200
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    done = client.post("/settings/security/two-factor", {"code": app_code(device)})
    assert done.status_code == 200, done.content.decode()[:2000]
    listed = done.content.decode().split('id="recovery-codes"')[1].split("</ol>")[0]
    return TOTPDevice.objects.get(pk=device.pk), re.findall(r"<code>([a-z2-7]{8})</code>", listed)


@pytest.fixture
def with_app(client, dana):
    sign_in(client, "dana")
    device, codes = enable(client, dana)
    client.post("/logout")
    return device, codes


def test_enrolment_shows_the_qr_code_and_the_secret_and_asks_for_a_code(client, dana):
    sign_in(client, "dana")
    page = client.get("/settings/security/two-factor")
    html = page.content.decode()
    assert 'src="data:image/svg+xml' in html and 'alt="QR code of your new authenticator secret"' in html
    device = TOTPDevice.objects.get(user=dana, confirmed=False)
    assert twofactor.totp_secret(device) in html and "no-store" in page["Cache-Control"]
    wrong = client.post(
        "/settings/security/two-factor", {"code": "000000" if app_code(device) != "000000" else "111111"}
    )
    assert wrong.status_code == 200 and "That code is not right" in wrong.content.decode()
    assert not twofactor.two_factor_enabled(dana)


def test_enabling_shows_ten_recovery_codes_once(client, dana):
    sign_in(client, "dana")
    device, codes = enable(client, dana)
    assert device.confirmed and len(codes) == 10 == len(set(codes))
    stored = sorted(StaticToken.objects.filter(device__user=dana).values_list("token", flat=True))
    assert stored == sorted(twofactor.recovery_code_digest(code) for code in codes)  # HMACs, never the codes
    security = client.get("/settings/security").content.decode()
    assert "Recovery codes left: <strong>10</strong>" in security and codes[0] not in security
    assert "two-factor:enable" in audit_actions(dana)


def test_enabling_asks_for_the_password_when_the_confirmation_is_stale(client, dana):
    sign_in(client, "dana")
    stale_sudo(client)
    asked = client.get("/settings/security/two-factor")
    assert asked.status_code == 302 and asked["Location"].startswith("/settings/confirm?next=")
    assert client.post(asked["Location"], {"password": PASSWORD})["Location"] == "/settings/security/two-factor"
    assert client.get("/settings/security/two-factor").status_code == 200


def test_signing_in_asks_for_a_code_before_the_session_is_signed_in(client, dana, with_app):
    device, _ = with_app
    first = sign_in(client, "dana", next="/settings/security")
    assert first["Location"] == "/login/two-factor?next=%2Fsettings%2Fsecurity"
    assert "_auth_user_id" not in client.session
    assert client.get("/settings/profile")["Location"].startswith("/login")  # nothing is reachable yet
    wrong = client.post("/login/two-factor", {"code": "12", "next": "/settings/security"})
    assert "That code is not right" in wrong.content.decode() and "_auth_user_id" not in client.session
    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_count=0)  # the backoff is tested below
    done = client.post("/login/two-factor", {"code": app_code(device, steps=1), "next": "/settings/security"})
    assert done.status_code == 302 and done["Location"] == "/settings/security"
    assert client.session[DEVICE_ID_SESSION_KEY] == device.persistent_id
    assert audit_actions(dana)[-1] == "account:sign-in"


def test_a_recovery_code_signs_in_once(client, dana, with_app):
    _, codes = with_app
    sign_in(client, "dana")
    done = client.post("/login/two-factor", {"code": codes[3].upper()})
    assert done["Location"] == "/settings/"
    assert StaticToken.objects.filter(device__user=dana).count() == 9
    client.post("/logout")
    sign_in(client, "dana")
    again = client.post("/login/two-factor", {"code": codes[3]})
    assert again.status_code == 200 and "_auth_user_id" not in client.session


def test_wrong_codes_back_off(client, dana, with_app):
    device, _ = with_app
    sign_in(client, "dana")
    client.post("/login/two-factor", {"code": "000001"})
    refused = client.post("/login/two-factor", {"code": app_code(device, steps=1)})
    assert "Too many wrong codes" in refused.content.decode() and "_auth_user_id" not in client.session


def test_the_second_step_is_rate_limited_per_account(client, dana, with_app, portal):
    portal(LOGIN_ACCOUNT_RATE="2/h")
    sign_in(client, "dana")  # one
    client.post("/login/two-factor", {"code": "abcdefgh"})  # two
    assert client.post("/login/two-factor", {"code": "abcdefgh"}).status_code == 429


def test_the_second_step_expires_after_five_minutes(client, dana, with_app):
    device, _ = with_app
    sign_in(client, "dana")
    session = client.session
    session[PENDING] = {**session[PENDING], "at": time.time() - 301}
    session.save()
    late = client.post("/login/two-factor", {"code": app_code(device, steps=1)})
    assert late.status_code == 302 and late["Location"].startswith("/login?next=")
    assert "_auth_user_id" not in client.session
    assert client.get("/login/two-factor")["Location"].startswith("/login")


def test_disabling_needs_the_password_and_a_code(client, dana, with_app):
    device, codes = with_app
    sign_in(client, "dana")
    client.post("/login/two-factor", {"code": codes[0]})
    no_password = client.post("/settings/security/two-factor/disable", {"password": "wrong", "code": codes[1]})
    assert no_password.status_code == 200 and "That is not your password." in no_password.content.decode()
    no_code = client.post("/settings/security/two-factor/disable", {"password": PASSWORD, "code": "nonsense"})
    assert no_code.status_code == 200 and "That code is not right" in no_code.content.decode()
    StaticDevice.objects.filter(user=dana).update(throttling_failure_count=0)
    done = client.post("/settings/security/two-factor/disable", {"password": PASSWORD, "code": codes[1]})
    assert done.status_code == 302
    assert not TOTPDevice.objects.filter(user=dana).exists() and not StaticDevice.objects.filter(user=dana).exists()
    assert "two-factor:disable" in audit_actions(dana)
    client.post("/logout")
    assert sign_in(client, "dana")["Location"] == "/settings/"  # the password alone again


def test_new_recovery_codes_replace_the_old_ones(client, dana, with_app):
    _, old = with_app
    sign_in(client, "dana")
    client.post("/login/two-factor", {"code": old[0]})
    stale_sudo(client)
    asked = client.post("/settings/security/recovery-codes", {"next": "/settings/security"})
    assert asked["Location"] == "/settings/confirm?next=%2Fsettings%2Fsecurity"
    client.post("/settings/confirm", {"password": PASSWORD})
    fresh = client.post("/settings/security/recovery-codes")
    assert fresh.status_code == 200 and "no-store" in fresh["Cache-Control"]
    tokens = set(StaticToken.objects.filter(device__user=dana).values_list("token", flat=True))
    assert len(tokens) == 10 and not tokens & {twofactor.recovery_code_digest(code) for code in old}


def test_recovery_codes_are_stored_as_hmacs_that_survive_a_key_rotation(client, dana, with_app, settings):
    _, codes = with_app
    stored = set(StaticToken.objects.filter(device__user=dana).values_list("token", flat=True))
    assert not stored & set(codes) and all(re.fullmatch(r"[0-9a-f]{16}", token) for token in stored)
    settings.SECRET_KEY_FALLBACKS = [settings.SECRET_KEY]
    settings.SECRET_KEY = "a-new-secret-key-" + "x" * 40
    sign_in(client, "dana")
    assert client.post("/login/two-factor", {"code": codes[2]})["Location"] == "/settings/"
    assert StaticToken.objects.filter(device__user=dana).count() == 9


def test_the_migration_hashes_codes_stored_before_it(dana):
    from importlib import import_module

    from django.apps import apps

    device = StaticDevice.objects.create(user=dana, name="Recovery codes", confirmed=True)
    StaticToken.objects.create(device=device, token="abcdefgh")
    kept = StaticToken.objects.create(device=device, token=twofactor.recovery_code_digest("ijklmnop"))
    import_module("portal.migrations.0002_hash_recovery_codes").hash_codes(apps, None)
    tokens = set(device.token_set.values_list("token", flat=True))
    assert tokens == {twofactor.recovery_code_digest("abcdefgh"), kept.token}
    assert twofactor.two_factor_verify(user=dana, code="ABCD-EFGH") == device


def test_staff_required_to_use_it_enrol_before_anything_else(client, dana, portal):
    portal(REQUIRE_2FA_FOR_STAFF=True)
    dana.is_staff = True
    dana.save()
    first = sign_in(client, "dana", next="/admin/")
    assert first["Location"] == "/login/enrol?next=%2Fadmin%2F"
    assert "_auth_user_id" not in client.session
    assert client.get("/admin/")["Location"].startswith("/admin/login/")
    page = client.get(first["Location"])
    assert 'src="data:image/svg+xml' in page.content.decode()
    device = TOTPDevice.objects.get(user=dana, confirmed=False)
    done = client.post("/login/enrol", {"code": app_code(device), "next": "/admin/"})
    assert done.status_code == 200 and "Your recovery codes" in done.content.decode()
    assert client.session["_auth_user_id"] == str(dana.pk)
    assert client.get("/admin/").status_code == 200
    refused = client.post("/settings/security/two-factor/disable", {"password": PASSWORD, "code": "x"})
    assert "Staff members must keep two-factor authentication" in refused.content.decode()


def test_the_admin_sign_in_form_sends_two_factor_accounts_to_the_portal(client, dana, with_app, portal):
    dana.is_staff = True
    dana.save()
    page = client.post("/admin/login/?next=/admin/", {"username": "dana", "password": PASSWORD})
    assert page.status_code == 200 and "/login?next=/admin/" in page.content.decode()
    assert "_auth_user_id" not in client.session


def test_the_admin_needs_a_session_signed_in_with_a_code(client, dana, with_app):
    device, _ = with_app
    dana.is_staff = True
    dana.save()
    client.force_login(dana)  # a session that never gave a code
    assert client.get("/admin/").status_code == 302
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    assert client.get("/admin/").status_code == 200


def test_staff_without_it_reach_the_admin_when_it_is_not_required(admin_client):
    assert admin_client.get("/admin/").status_code == 200


def test_the_second_step_on_the_way_to_authorize_may_post_to_the_clients_origin(client, dana, with_app):
    """As the first step: the code's POST may be redirected to the consent and from there to the client."""
    from urllib.parse import urlencode

    from auth.oauth.services import oauth_app_create

    app = oauth_app_create(
        user=dana, name="CI", redirect_uris=["https://ci.example/cb"], scopes=["repos:read"], client_type="public"
    ).application
    target = "/authorize?" + urlencode({"client_id": app.client_id, "response_type": "code"})
    sign_in(client, "dana", next=target)
    page = client.get("/login/two-factor", {"next": target})
    policy = dict(part.strip().split(" ", 1) for part in page["Content-Security-Policy"].split(";"))
    assert policy["form-action"].split() == ["'self'", "https://ci.example"]
    assert "An application asked to use your account" not in page.content.decode()
