"""The portal's settings, ``settings.PORTAL`` (docs/configuration.md#account-portal)::

    PORTAL = {"REGISTRATION": "open", "SUDO_SECONDS": 900}

Read lazily and rebuilt when the setting changes (:class:`core.conf.AppSettings`);
``from_env()`` is what ``config/settings.py`` fills it with.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from core.conf import AppSettings
from core.env import env_int

Registration = Literal["closed", "open", "invite"]


@dataclass(frozen=True)
class PortalSettings:
    # How long a password confirmation lets a person create secrets without asking again.
    SUDO_SECONDS: int = 900


portal_settings = AppSettings("PORTAL", PortalSettings)


def from_env() -> dict[str, Any]:
    """``settings.PORTAL`` from the environment (each variable in docs/configuration.md)."""
    return {"SUDO_SECONDS": env_int("PORTAL_SUDO_SECONDS", default=PortalSettings.SUDO_SECONDS)}
