"""One pattern for every app's settings dict: typed, read lazily, reloaded when settings change.

Each app declares a frozen dataclass of its settings with their defaults and one
:class:`AppSettings` that builds it from the Django setting of the same name (as DRF's
``api_settings`` and django-cors-headers' ``conf`` do)::

    @dataclass(frozen=True)
    class WebhookSettings:
        TOTAL_TIMEOUT: float = 15.0

    webhook_settings = AppSettings("WEBHOOKS", WebhookSettings)
    webhook_settings().TOTAL_TIMEOUT        # 15.0, or settings.WEBHOOKS["TOTAL_TIMEOUT"]

Nothing is read at import time; a test's ``settings.WEBHOOKS = {...}`` (Django's
``setting_changed`` signal) is seen by the next call. An unknown key is an error, so a
typo in a settings dict cannot silently fall back to a default.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from typing import Any, Generic, TypeVar

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import setting_changed
from django.dispatch import receiver

from core import caches

T = TypeVar("T")

_ALL: list[AppSettings[Any]] = []


# API_FAST_PATHS, read once: every read of ``django.conf.settings`` runs LazyObject's
# ``__getattribute__`` (about 2,400 CPU instructions), and the switch is asked several times a request.
_switch: dict[str, bool] = {}


def _reload_all() -> None:
    for app_settings in _ALL:
        app_settings.reload()
    _switch.clear()


caches.register(
    "app-settings",
    holds="each app's settings dict, typed (AppSettings), and the fast-path switch",
    bound="one per app",
    invalidation="rebuilt when its setting changes (Django's setting_changed)",
    clear=_reload_all,
)


def from_mapping(cls: type[T], setting: str, raw: Mapping[str, Any]) -> T:
    """Build the dataclass ``cls`` from ``raw``; refuse keys it does not declare."""
    names = {field.name for field in dataclasses.fields(cls)}  # type: ignore[arg-type]
    unknown = sorted(set(raw) - names)
    if unknown:
        raise ImproperlyConfigured(f"{setting}: unknown key(s) {', '.join(unknown)}; known: {', '.join(sorted(names))}")
    return cls(**raw)


class AppSettings(Generic[T]):
    """The settings dict ``setting`` as a ``T``, built on first use and after every change."""

    def __init__(self, setting: str, cls: type[T], build: Callable[[Mapping[str, Any]], T] | None = None) -> None:
        self.setting = setting
        self.build = build or (lambda raw: from_mapping(cls, setting, raw))
        self._value: T | None = None
        _ALL.append(self)

    def __call__(self) -> T:
        value = self._value
        if value is None:
            value = self._value = self.build(getattr(settings, self.setting, None) or {})
        return value

    def reload(self) -> None:
        self._value = None


@receiver(setting_changed, dispatch_uid="core.conf.reload")
def _reload(*, setting: str, **kwargs: Any) -> None:
    for app_settings in _ALL:
        if app_settings.setting == setting:
            app_settings.reload()
    if setting == "API_FAST_PATHS":
        _switch.clear()


def fast_paths() -> bool:
    """``API_FAST_PATHS`` (default on): each measured fast path; off, each one's reference path.

    The fast paths and what each replaces are listed in docs/performance.md; the contract
    tests run both ways (``.ci/run``).
    """
    try:
        return _switch["fast"]
    except KeyError:
        fast = _switch["fast"] = bool(getattr(settings, "API_FAST_PATHS", True))
        return fast
