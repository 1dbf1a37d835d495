"""Signing webhook deliveries with Ed25519: pure functions, bytes in, headers out. No Django.

Two header sets go on every delivery, over the exact bytes sent:

- sourcehut's: ``X-Payload-Nonce`` (random hex) and ``X-Payload-Signature``, the base64
  Ed25519 signature of ``body + nonce``, by the newest key;
- Standard Webhooks': ``webhook-id``, ``webhook-timestamp`` and ``webhook-signature:
  v1a,<base64 signature of "id.timestamp.body">``, one entry per configured key
  (space-separated), so receivers can rotate keys and reject replays.

Keys are configured newest first, as ``id:base64-seed`` pairs:

    WEBHOOK_SIGNING_KEYS="2026-11:q0XY...=,2026-05:Zm9v...="
"""

from __future__ import annotations

import base64
import binascii
import secrets
from collections.abc import Sequence
from dataclasses import dataclass

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from core.headers import (
    CONTENT_TYPE,
    PAYLOAD_NONCE,
    PAYLOAD_SIGNATURE,
    STANDARD_WEBHOOK_ID,
    STANDARD_WEBHOOK_SIGNATURE,
    STANDARD_WEBHOOK_TIMESTAMP,
    WEBHOOK_DELIVERY,
    WEBHOOK_EVENT,
)


class SigningKeyError(ValueError):
    """The configured signing keys cannot be used; the message says what to fix."""


@dataclass(frozen=True)
class SigningKey:
    key_id: str
    private_key: Ed25519PrivateKey

    @property
    def public_key_b64(self) -> str:
        raw = self.private_key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
        return base64.b64encode(raw).decode()


def parse_signing_keys(value: str) -> list[SigningKey]:
    """``"id:seed,id:seed"`` (newest first) -> keys; raw 32-byte seeds in base64."""
    keys = []
    for entry in (item.strip() for item in value.split(",")):
        if not entry:
            continue
        key_id, sep, seed_b64 = entry.partition(":")
        if not sep or not key_id.strip():
            raise SigningKeyError("each signing key is 'ID:BASE64SEED'; run manage.py generate_webhook_key")
        try:
            seed = base64.b64decode(seed_b64.strip(), validate=True)
        except binascii.Error as exc:
            raise SigningKeyError(f"signing key {key_id!r}: the seed is not base64") from exc
        if len(seed) != 32:
            raise SigningKeyError(f"signing key {key_id!r}: the seed must be 32 bytes, got {len(seed)}")
        keys.append(SigningKey(key_id.strip(), Ed25519PrivateKey.from_private_bytes(seed)))
    if not keys:
        raise SigningKeyError("no webhook signing key configured")
    if len({key.key_id for key in keys}) != len(keys):
        raise SigningKeyError("signing key ids must be unique")
    return keys


def generate_signing_key(key_id: str) -> str:
    """A new key as the ``id:seed`` text for ``WEBHOOK_SIGNING_KEYS``."""
    return f"{key_id}:{base64.b64encode(secrets.token_bytes(32)).decode()}"


def new_nonce() -> str:
    return secrets.token_hex(16)


def sign_sourcehut(key: SigningKey, body: bytes, nonce: str) -> str:
    return base64.b64encode(key.private_key.sign(body + nonce.encode())).decode()


def sign_standard(keys: Sequence[SigningKey], msg_id: str, timestamp: int, body: bytes) -> str:
    message = f"{msg_id}.{timestamp}.".encode() + body
    return " ".join(f"v1a,{base64.b64encode(key.private_key.sign(message)).decode()}" for key in keys)


def signature_headers(
    *, keys: Sequence[SigningKey], delivery_id: str, event: str, body: bytes, timestamp: int, nonce: str | None = None
) -> dict[str, str]:
    """Every header of a delivery. ``keys`` newest first: the newest signs sourcehut's header."""
    nonce = nonce or new_nonce()
    return {
        CONTENT_TYPE: "application/json",
        WEBHOOK_EVENT: event,
        WEBHOOK_DELIVERY: delivery_id,
        PAYLOAD_NONCE: nonce,
        PAYLOAD_SIGNATURE: sign_sourcehut(keys[0], body, nonce),
        STANDARD_WEBHOOK_ID: delivery_id,
        STANDARD_WEBHOOK_TIMESTAMP: str(timestamp),
        STANDARD_WEBHOOK_SIGNATURE: sign_standard(keys, delivery_id, timestamp, body),
    }
