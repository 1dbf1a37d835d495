"""Typed readers of environment variables for ``settings.py``: a value that does not parse is an error."""

from __future__ import annotations

import os
from typing import Any
from urllib.parse import urlsplit

import environ
from django.core.exceptions import ImproperlyConfigured

TRUE = ("1", "true", "yes", "on")
FALSE = ("0", "false", "no", "off")
POSTGRES_SCHEMES = ("postgres", "postgresql", "pgsql")


def _raw(name: str) -> str | None:
    # Unset and empty are the same: the default. Read verbatim, not through environ.Env.str(),
    # which takes a leading "$" as a reference to another variable (a random secret may start so).
    value = os.environ.get(name, "").strip()
    return value or None


def _cast(name: str, value: str, cast: Any, expected: str) -> Any:
    """django-environ's cast, its ValueError turned into one that names the variable:

    API_MAX_BODY_BYTES=lots  ->  ImproperlyConfigured: API_MAX_BODY_BYTES must be an integer, got 'lots'
    """
    try:
        return environ.Env.parse_value(value, cast)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be {expected}, got {value!r}") from exc


def env_str(name: str, *, default: str) -> str:
    return _raw(name) or default


def env_bool(name: str, *, default: bool) -> bool:
    """``1/0, true/false, yes/no, on/off`` in any case; anything else is an error.

    django-environ's own ``bool`` reads every unknown word as False, so a typo in
    ``DJANGO_SECURE_COOKIES=ture`` would quietly turn a protection off.
    """
    value = _raw(name)
    if value is None:
        return default
    if value.lower() not in TRUE + FALSE:
        raise ImproperlyConfigured(f"{name} must be one of 1/0, true/false, yes/no, on/off; got {value!r}")
    return bool(environ.Env.parse_value(value.lower(), bool))


def env_int(name: str, *, default: int) -> int:
    value = _raw(name)
    return default if value is None else _cast(name, value, int, "an integer")


def env_float(name: str, *, default: float) -> float:
    value = _raw(name)
    return default if value is None else _cast(name, value, float, "a number")


def env_list(name: str, *, default: str = "") -> list[str]:
    """A comma-separated list; blanks around and between items are dropped."""
    text = _raw(name) or default
    return [item.strip() for item in environ.Env.parse_value(text, list) if item.strip()] if text else []


def env_int_list(name: str, *, default: str) -> list[int]:
    value = ",".join(env_list(name, default=default))
    return _cast(name, value, [int], "a comma-separated list of integers") if value else []


PREPARE_THRESHOLD = 5  # psycopg's own default, which Django turns off unless asked


def database_config(
    url: str, *, conn_max_age: int, connect_timeout: int, server_side_binding: bool = False
) -> dict[str, Any]:
    """``DATABASE_URL`` (``postgres://user:password@host:port/name?option=value``) -> a ``DATABASES`` entry.

    libpq options in the query string pass through (``?sslmode=require``); a Unix socket
    directory is ``?host=/path`` as libpq spells it. PostgreSQL is the only engine.
    """
    if urlsplit(url).scheme not in POSTGRES_SCHEMES:
        raise ImproperlyConfigured("DATABASE_URL must be a postgres:// URL: PostgreSQL is the only engine")
    config: dict[str, Any] = environ.Env.db_url_config(url)
    options: dict[str, Any] = config.setdefault("OPTIONS", {})
    # django-environ leaves ?host= among the options; HOST is where Django and our tools look.
    config["HOST"] = options.pop("host", None) or config["HOST"]
    config["NAME"] = config["NAME"] or "postgres"
    config["PORT"] = str(config["PORT"] or "")
    config["CONN_MAX_AGE"] = conn_max_age
    config["CONN_HEALTH_CHECKS"] = True
    config["ENGINE"] = "core.db"  # PostgreSQL; its health check without a round trip (core/db/base.py)
    options.setdefault("connect_timeout", connect_timeout)
    if server_side_binding:  # psycopg prepares a statement on its fifth run on a connection
        options.setdefault("server_side_binding", True)
        options.setdefault("prepare_threshold", PREPARE_THRESHOLD)
    return config
