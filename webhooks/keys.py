"""The service's webhook signing keys (§4.4), parsed from ``WEBHOOKS["SIGNING_KEYS"]``."""

from __future__ import annotations

from django.core.exceptions import ImproperlyConfigured

from webhooks.conf import webhook_settings
from webhooks.signing import SigningKey, SigningKeyError, parse_signing_keys

_parsed: dict[str, list[SigningKey]] = {}


def get_signing_keys() -> list[SigningKey]:
    """The configured keys, newest first; parsed once per distinct configuration."""
    text = webhook_settings().SIGNING_KEYS
    keys = _parsed.get(text)
    if keys is None:
        try:
            keys = _parsed[text] = parse_signing_keys(text)
        except SigningKeyError as exc:
            raise ImproperlyConfigured(
                f"WEBHOOK_SIGNING_KEYS: {exc}. Generate one with `manage.py generate_webhook_key` "
                "and set WEBHOOK_SIGNING_KEYS=<id:seed>."
            ) from exc
    return keys


def public_keys() -> list[dict[str, str]]:
    return [{"id": key.key_id, "algorithm": "ed25519", "public_key": key.public_key_b64} for key in get_signing_keys()]
