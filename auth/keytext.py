"""The text of an API key: ``apisvc_<identifier>_<secret>``. Pure functions, no Django.

The fixed prefix lets secret scanners recognise a leaked key; the identifier is public
(stored, shown in the admin, used for the lookup); only a keyed hash of the secret is
stored. API keys carry 238 bits of randomness, so a fast keyed SHA-256 is enough: a slow
password hash would only cap the key exchange at a few per second.

    >>> text = key_text("apisvc", "k3y1d00000", "s" * 40)
    >>> split_key(text, "apisvc")
    ('k3y1d00000', 'ssssssssssssssssssssssssssssssssssssssss')
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import string

ALPHABET = string.ascii_letters + string.digits
IDENTIFIER_LENGTH = 10
SECRET_LENGTH = 40


def random_text(length: int) -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(length))


def key_text(prefix: str, identifier: str, secret: str) -> str:
    return f"{prefix}_{identifier}_{secret}"


def looks_like_key(text: str, prefix: str) -> bool:
    return text.startswith(prefix + "_")


def split_key(text: str, prefix: str) -> tuple[str, str] | None:
    """``(identifier, secret)`` of a well-formed key text, else None."""
    parts = text.split("_")
    if len(parts) != 3 or parts[0] != prefix:
        return None
    identifier, secret = parts[1], parts[2]
    if len(identifier) != IDENTIFIER_LENGTH or len(secret) != SECRET_LENGTH:
        return None
    if not all(ch in ALPHABET for ch in identifier + secret):
        return None
    return identifier, secret


def secret_hash(hmac_key: str, secret: str) -> str:
    return hmac.new(hmac_key.encode(), secret.encode(), hashlib.sha256).hexdigest()


def secret_matches(hmac_key: str, secret: str, stored_hash: str) -> bool:
    """Constant-time comparison of the presented secret's hash with the stored one."""
    return hmac.compare_digest(secret_hash(hmac_key, secret), stored_hash)
