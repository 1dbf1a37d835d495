"""OpenPGP public keys (ASCII-armored) parsed with Sequoia (pysequoia). No Django.

A key must parse, be a public key, and carry a user ID with a valid self-signature; we
keep its uppercase hex fingerprint and key id, the e-mail of its first user ID that has
one, and its expiration. An RSA key or subkey must be within the bounds of
:mod:`resources.parsing.rsa`: pysequoia names a key packet's algorithm but not its numbers,
so :func:`_rsa_numbers` reads the two MPIs from the packet body (RFC 9580 §5.5.2), before
Sequoia checks any signature with them.

Sequoia's bindings replace PGPy, whose last release (2022) imports ``imghdr``, a module
Python 3.13 removed; pysequoia ships wheels for CPython 3.11 to 3.13 and follows
Sequoia's standard policy (SHA-1 self-signatures and other broken algorithms do not
count as valid), so a user ID bound only by such a signature is "no user ID".

    >>> key = parse_pgp_key(open("alice.asc").read())
    >>> key.fingerprint, key.key_id, key.email
    ('FE890D8152FC1D927DDFD5364FAF745F846FD8CA', '4FAF745F846FD8CA', 'alice@example.org')
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from pysequoia import Cert
from pysequoia.packet import Packet, PacketPile, PublicKeyAlgorithm, Tag

from resources.parsing.rsa import rsa_key_problem

MAX_LENGTH = 64 * 1024
V4_FINGERPRINT_LENGTH = 40
RSA_ALGORITHMS = (PublicKeyAlgorithm.RSAEncryptSign, PublicKeyAlgorithm.RSAEncrypt, PublicKeyAlgorithm.RSASign)
# Where a public key packet's algorithm-specific fields start, by packet version: after the
# version, the creation time and the algorithm (v3 also has a validity period, v5 and v6
# the length of the key material).
KEY_MATERIAL_OFFSET = {3: 8, 4: 6, 5: 10, 6: 10}


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
    try:
        data = text.encode()
    except UnicodeEncodeError as exc:
        raise InvalidPGPKey("the text holds an unpaired surrogate") from exc
    packets = _packets(data)
    if any(packet.tag in (Tag.SecretKey, Tag.SecretSubkey) for packet in packets):
        raise InvalidPGPKey("that is a private key; send the public key only (gpg --export --armor)")
    for packet in packets:
        if packet.tag in (Tag.PublicKey, Tag.PublicSubkey) and packet.key_algorithm in RSA_ALGORITHMS:
            problem = rsa_key_problem(*_rsa_numbers(packet.body))
            if problem is not None:
                raise InvalidPGPKey(problem)
    cert = _cert(data)
    fingerprint = cert.fingerprint.upper()
    if len(fingerprint) != V4_FINGERPRINT_LENGTH:
        raise InvalidPGPKey("only version 4 OpenPGP keys are supported")
    try:
        valid_user_ids = {str(user_id) for user_id in cert.user_ids}
        expiration = cert.expiration
    except RuntimeError as exc:  # Sequoia: no valid binding signature at all
        raise InvalidPGPKey("the key has no user ID with a valid self-signature") from exc
    if not valid_user_ids:
        raise InvalidPGPKey("the key has no user ID that is not revoked")
    if expiration is not None and expiration.tzinfo is None:
        expiration = expiration.replace(tzinfo=UTC)
    return PGPKey(
        armored=str(cert).strip(),
        fingerprint=fingerprint,
        key_id=fingerprint[-16:],
        email=_first_email(packets, valid_user_ids),
        expiration=expiration,
    )


def _packets(data: bytes) -> list[Packet]:
    try:
        return list(PacketPile.from_bytes(data))
    except (RuntimeError, ValueError) as exc:  # Sequoia's parse errors arrive as RuntimeError
        raise InvalidPGPKey("the text is not a valid OpenPGP key") from exc


def _rsa_numbers(body: bytes) -> tuple[int, int]:
    """``(n, e)`` of an RSA public key packet: two MPIs, each a 2-byte bit count and the bytes."""
    offset = KEY_MATERIAL_OFFSET.get(body[0] if body else 0)
    if offset is None:
        raise InvalidPGPKey("the text is not a valid OpenPGP key (unknown key packet version)")
    numbers = []
    for _ in range(2):
        size = (int.from_bytes(body[offset : offset + 2], "big") + 7) // 8
        offset += 2 + size
        if offset > len(body):
            raise InvalidPGPKey("the text is not a valid OpenPGP key (a truncated RSA key)")
        numbers.append(int.from_bytes(body[offset - size : offset], "big"))
    return numbers[0], numbers[1]


def _cert(data: bytes) -> Cert:
    try:
        return Cert.from_bytes(data)
    except (RuntimeError, ValueError) as exc:
        raise InvalidPGPKey("the text is not a valid OpenPGP key (one key per request)") from exc


def _first_email(packets: list[Packet], valid_user_ids: set[str]) -> str:
    """The e-mail of the first valid user ID, in the key's order, that has one (``Name <addr>`` or ``addr``)."""
    for packet in packets:
        if packet.tag == Tag.UserID and packet.user_id in valid_user_ids and packet.user_id_email:
            return str(packet.user_id_email)
    return ""
