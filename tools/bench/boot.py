"""The start of every bench script's ``main()`` (nothing happens at import): env, servers, Django."""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
UNLIMITED = "1000000000/3600+0"  # a rate limit that is counted and enforced, but never exhausted here
SCOPES = ("ANONYMOUS_READ", "ANONYMOUS_WRITE", "AUTHENTICATED_READ", "AUTHENTICATED_WRITE", "AUTHENTICATE",
          "APIKEY_CREATE", "WEBHOOK_TEST")  # fmt: skip


def unlimited(*scopes: str) -> dict[str, str]:
    """``API_RATE_LIMIT_<SCOPE>`` env vars lifting the limits of ``scopes`` (default: all)."""
    return {f"API_RATE_LIMIT_{scope}": UNLIMITED for scope in scopes or SCOPES}


def boot(**env: str) -> None:
    """Set ``env`` (inherited by the gunicorn and Celery children), start the servers, set up Django.

    The servers are the embedded ones under var/bench unless DATABASE_URL/REDIS_URL are set.
    """
    os.environ.setdefault("APISERVICE_VAR_DIR", str(ROOT / "var" / "bench"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.update(env)
    import django

    from devstack.embedded import bootstrap

    bootstrap()
    django.setup()
