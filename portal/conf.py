"""The portal's settings, ``settings.PORTAL`` (docs/configuration.md#account-portal)::

    PORTAL = {"REGISTRATION": "open", "SUDO_SECONDS": 900}

Read lazily and rebuilt when the setting changes (:class:`core.conf.AppSettings`);
``from_env()`` is what ``config/settings.py`` fills it with.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal, get_args

from django.core.exceptions import ImproperlyConfigured

from core.conf import AppSettings
from core.env import env_bool, env_int, env_str

Registration = Literal["closed", "open", "invite"]


@dataclass(frozen=True)
class PortalSettings:
    # How long a password confirmation lets a person create secrets without asking again.
    SUDO_SECONDS: int = 900
    # ---- accounts (issue 24)
    # closed: operators make accounts; open: anyone may sign up; invite: with a single-use link.
    REGISTRATION: Registration = "closed"
    # Staff members must use two-factor authentication: sent to enrol before anything else.
    REQUIRE_2FA_FOR_STAFF: bool = False
    # Sign-in POSTs per account (the username or email posted), django-ratelimit's syntax; the
    # per-address limit is API_AUTH["LOGIN_RATE"], shared with the consent page.
    LOGIN_ACCOUNT_RATE: str = "20/h"
    # Sign-ups, password-reset and verification-mail requests per address, and per address mailed.
    MAIL_RATE: str = "5/h"
    # How long an invite link works.
    INVITE_DAYS: int = 14

    def __post_init__(self) -> None:
        registration(self.REGISTRATION)


portal_settings = AppSettings("PORTAL", PortalSettings)


def registration(value: str) -> Registration:
    if value not in get_args(Registration):
        raise ImproperlyConfigured(
            f"ACCOUNT_REGISTRATION must be closed, open or invite (got {value!r}); see docs/configuration.md"
        )
    return value  # type: ignore[return-value]


def from_env() -> dict[str, Any]:
    """``settings.PORTAL`` from the environment (each variable in docs/configuration.md)."""
    defaults = PortalSettings()
    return {
        "SUDO_SECONDS": env_int("PORTAL_SUDO_SECONDS", default=defaults.SUDO_SECONDS),
        "REGISTRATION": registration(env_str("ACCOUNT_REGISTRATION", default=defaults.REGISTRATION)),
        "REQUIRE_2FA_FOR_STAFF": env_bool("PORTAL_REQUIRE_2FA_FOR_STAFF", default=defaults.REQUIRE_2FA_FOR_STAFF),
        "LOGIN_ACCOUNT_RATE": env_str("PORTAL_LOGIN_ACCOUNT_RATE", default=defaults.LOGIN_ACCOUNT_RATE),
        "MAIL_RATE": env_str("PORTAL_MAIL_RATE", default=defaults.MAIL_RATE),
        "INVITE_DAYS": env_int("PORTAL_INVITE_DAYS", default=defaults.INVITE_DAYS),
    }
