"""The account pages' fixtures: people with passwords, signing in as a browser does, the
portal's settings, codes from an authenticator app (``smtp_server`` is tests/mail.py's)."""

from __future__ import annotations

import time
from typing import Any

import pytest
from django.test import Client
from django_otp.oath import TOTP

PASSWORD = "correct horse battery staple"


@pytest.fixture(autouse=True)
def _quick_password_hashes(settings: Any) -> None:
    """A fast hasher: these tests hash passwords by the dozen (production keeps Django's PBKDF2)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def dana(django_user_model: Any) -> Any:
    return django_user_model.objects.create_user("dana", email="dana@example.org", password=PASSWORD)


@pytest.fixture
def portal(settings: Any) -> Any:
    """``portal(REGISTRATION="open", ...)``: this test's ``settings.PORTAL``."""

    def set_portal(**values: Any) -> dict[str, Any]:
        settings.PORTAL = {**settings.PORTAL, **values}
        return settings.PORTAL

    return set_portal


def sign_in(client: Client, username: str, password: str = PASSWORD, *, headers: Any = None, **fields: Any) -> Any:
    """Post the sign-in form as a browser does (the session is then confirmed for sudo mode)."""
    return client.post("/login", {"username": username, "password": password, **fields}, headers=headers)


def app_code(device: Any, steps: int = 0) -> str:
    """The code an authenticator app shows for ``device``, ``steps`` time steps from now."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + steps * device.step
    return f"{totp.token():0{device.digits}d}"


def stale_sudo(client: Client) -> None:
    """Forget the session's password confirmation (as if it were older than the window)."""
    session = client.session
    session.pop("portal_sudo_at", None)
    session.save()


def audit_actions(user: Any) -> list[str]:
    from accounts.models import AuditLogEntry

    return list(AuditLogEntry.objects.filter(user_id=user.pk).order_by("id").values_list("action", flat=True))
