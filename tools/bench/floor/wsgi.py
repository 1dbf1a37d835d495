"""The floor's WSGI entry point; Django is set up by the first request, not at import."""

import os
from collections.abc import Callable, Iterable
from typing import Any

_handler: Callable[..., Iterable[bytes]] | None = None


def application(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    global _handler
    if _handler is None:
        # Forced, not setdefault: the bench process passes apiservice's settings to its children.
        os.environ["DJANGO_SETTINGS_MODULE"] = "bench.floor.settings"
        from django.core.wsgi import get_wsgi_application

        _handler = get_wsgi_application()
    return _handler(environ, start_response)
