"""The one guard for the signing keys: a system check, run by ``manage.py`` commands and at
the start of gunicorn (``config/wsgi.py``) and of Celery workers (tag ``apiservice``)."""

from __future__ import annotations

from typing import Any

from django.core.checks import CheckMessage, Error, register
from django.core.exceptions import ImproperlyConfigured


@register("apiservice")
def signing_keys_check(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    from webhooks.keys import get_signing_keys

    try:
        get_signing_keys()
    except ImproperlyConfigured as exc:
        return [Error(str(exc), id="webhooks.E001", hint="manage.py generate_webhook_key")]
    return []
