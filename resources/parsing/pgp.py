"""OpenPGP public keys (ASCII-armored) parsed with PGPy. No Django.

A key must parse, be a public key, and carry a user ID; we keep its uppercase hex
fingerprint and key id, the first user ID's e-mail, and its expiration.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from datetime import UTC, datetime

MAX_LENGTH = 64 * 1024


class InvalidPGPKey(ValueError):
    """The text is not a usable OpenPGP public key; the message says why."""


@dataclass(frozen=True)
class PGPKey:
    armored: str
    fingerprint: str  # 40 uppercase hex digits
    key_id: str  # the last 16
    email: str
    expiration: datetime | None


def parse_pgp_key(text: str) -> PGPKey:
    if not isinstance(text, str) or "BEGIN PGP" not in text:
        raise InvalidPGPKey("an ASCII-armored OpenPGP public key is required (-----BEGIN PGP PUBLIC KEY BLOCK-----)")
    if len(text) > MAX_LENGTH:
        raise InvalidPGPKey(f"an OpenPGP key is at most {MAX_LENGTH} characters")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import pgpy

        try:
            key, _ = pgpy.PGPKey.from_blob(text)
        except Exception as exc:  # PGPy raises many kinds for malformed input
            raise InvalidPGPKey("the text is not a valid OpenPGP key") from exc
        if not key.is_public:
            raise InvalidPGPKey("that is a private key; send the public key only (gpg --export --armor)")
        if not key.userids:
            raise InvalidPGPKey("the key has no user ID")
        fingerprint = str(key.fingerprint).replace(" ", "").upper()
        expires = key.expires_at
    if expires is not None and expires.tzinfo is None:
        expires = expires.replace(tzinfo=UTC)
    return PGPKey(
        armored=str(key).strip(),
        fingerprint=fingerprint,
        key_id=fingerprint[-16:],
        email=key.userids[0].email or "",
        expiration=expires,
    )
