"""The service's secrets come from the environment; a local stack's from its var dir; else it refuses to start."""

from __future__ import annotations

from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

from core.env import env_str
from devstack import embedded

INSECURE_SECRET_KEY = "django-insecure-apiservice-local-only"


def secret(name: str, *, purpose: str, debug: bool, local_dir: Path | None) -> str:
    """The env var ``name``; in embedded mode (``local_dir``, the var dir) the local secret under
    ``var/secrets/``; with ``DJANGO_DEBUG``, an insecure stand-in; else ImproperlyConfigured."""
    value = env_str(name, default="")
    if value:
        if value == INSECURE_SECRET_KEY and not debug:
            raise ImproperlyConfigured(
                f"{name} is the insecure local default; with DJANGO_DEBUG off, set a real secret."
            )
        return value
    if local_dir is not None:
        local = embedded.read_secret(local_dir, name.lower())
        if local is None:
            raise ImproperlyConfigured(
                f"{name} is not set and {local_dir / 'secrets' / name.lower()} does not exist yet. Start the "
                "embedded stack through `make run` or `manage.py` (they start the servers and create the "
                f"local secrets), or set {name}."
            )
        return local
    if debug:
        return INSECURE_SECRET_KEY + "-" + name.lower()
    raise ImproperlyConfigured(
        f"{name} is not set ({purpose}). With DJANGO_DEBUG off and real servers configured, the service "
        f"refuses to start on a default; set {name} to a long random value."
    )
