"""The service's webhook signing keys, loaded once per process (§4.4)."""

from __future__ import annotations

from functools import cache

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from webhooks import conf
from webhooks.signing import SigningKey, SigningKeyError, generate_signing_key, parse_signing_keys


def configured_text() -> str:
    """The ``id:seed`` list: from configuration, or in embedded mode generated once under var/."""
    text = conf.get("SIGNING_KEYS")
    if text:
        return text
    if settings.EMBEDDED:
        path = settings.VAR_DIR / "secrets" / "webhook_signing_keys"
        if not path.exists():
            from apiservice.embedded import _locked

            with _locked(settings.VAR_DIR):
                if not path.exists():
                    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
                    path.write_text(generate_signing_key("local-1"))
                    path.chmod(0o600)
        return path.read_text().strip()
    if settings.DEBUG:
        return ""
    raise ImproperlyConfigured(
        "WEBHOOK_SIGNING_KEYS is not set; generate one with `manage.py generate_webhook_key` "
        "and set WEBHOOK_SIGNING_KEYS=<id:seed>"
    )


@cache
def get_signing_keys() -> list[SigningKey]:
    try:
        return parse_signing_keys(configured_text())
    except SigningKeyError as exc:
        raise ImproperlyConfigured(f"WEBHOOK_SIGNING_KEYS: {exc}") from exc


def public_keys() -> list[dict[str, str]]:
    return [{"id": key.key_id, "algorithm": "ed25519", "public_key": key.public_key_b64} for key in get_signing_keys()]
