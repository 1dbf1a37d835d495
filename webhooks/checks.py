"""``manage.py check`` (and start-up) refuses production without usable signing keys."""

from __future__ import annotations

from typing import Any

from django.core.checks import Error, register
from django.core.exceptions import ImproperlyConfigured


@register()
def signing_keys_check(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    from webhooks.keys import get_signing_keys

    try:
        get_signing_keys()
    except ImproperlyConfigured as exc:
        return [Error(str(exc), id="webhooks.E001", hint="manage.py generate_webhook_key")]
    return []
