"""SSH public keys (an ``authorized_keys`` line) parsed with ``cryptography``. No Django.

>>> parsed = parse_ssh_key("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIG... alice@laptop")  # doctest: +SKIP
>>> parsed.fingerprint                                                          # doctest: +SKIP
'a1:b2:...'                        # MD5, colon-hex, as sourcehut shows it
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from dataclasses import dataclass

from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from cryptography.hazmat.primitives.serialization import load_ssh_public_key

from resources.parsing.rsa import rsa_key_problem

MAX_LENGTH = 16 * 1024
ALGORITHMS = ("ssh-rsa", "ssh-ed25519", "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp521")
MIN_RSA_BITS = 2048
# Stored text must be one line of Unicode: no C0/C1 control character (a tab is a space
# here), no unpaired surrogate; PostgreSQL refuses a NUL, and a line break hides a second key.
_NOT_TEXT = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f\ud800-\udfff]")


class InvalidSSHKey(ValueError):
    """The text is not a supported SSH public key; the message says why."""


@dataclass(frozen=True)
class SSHKey:
    algorithm: str
    blob: str  # the base64 key data
    comment: str
    fingerprint: str  # MD5 colon-hex
    fingerprint_sha256: str  # "SHA256:<unpadded base64>", as ssh-keygen prints it

    @property
    def key(self) -> str:
        """The normalised key: algorithm and blob, without the comment."""
        return f"{self.algorithm} {self.blob}"


def parse_ssh_key(text: str) -> SSHKey:
    if not isinstance(text, str) or not text.strip():
        raise InvalidSSHKey("an SSH public key is required, e.g. 'ssh-ed25519 AAAA... you@host'")
    if len(text) > MAX_LENGTH:
        raise InvalidSSHKey(f"an SSH public key is at most {MAX_LENGTH} characters")
    text = text.strip()
    bad = _NOT_TEXT.search(text)
    if bad is not None:
        raise InvalidSSHKey(_not_text_reason(bad.group()))
    parts = text.split(None, 2)
    if len(parts) < 2:
        raise InvalidSSHKey("expected '<algorithm> <base64 key> [comment]'")
    algorithm, blob = parts[0], parts[1]
    comment = parts[2].strip() if len(parts) == 3 else ""
    if algorithm not in ALGORITHMS:
        raise InvalidSSHKey(f"unsupported key type {algorithm[:40]!r}; use one of {', '.join(ALGORITHMS)}")
    try:
        raw = base64.b64decode(blob, validate=True)
        public_key = load_ssh_public_key(f"{algorithm} {blob}".encode())
    except (binascii.Error, ValueError, TypeError) as exc:
        raise InvalidSSHKey("the key data is not a valid SSH public key") from exc
    expected = {"ssh-rsa": rsa.RSAPublicKey, "ssh-ed25519": ed25519.Ed25519PublicKey}.get(
        algorithm, ec.EllipticCurvePublicKey
    )
    if not isinstance(public_key, expected):
        raise InvalidSSHKey("the key data does not match its type")
    if isinstance(public_key, rsa.RSAPublicKey):
        if public_key.key_size < MIN_RSA_BITS:
            raise InvalidSSHKey(f"RSA keys must have at least {MIN_RSA_BITS} bits")
        numbers = public_key.public_numbers()
        problem = rsa_key_problem(numbers.n, numbers.e)
        if problem is not None:
            raise InvalidSSHKey(problem)
    md5 = hashlib.md5(raw, usedforsecurity=False).hexdigest()
    sha256 = base64.b64encode(hashlib.sha256(raw).digest()).decode().rstrip("=")
    return SSHKey(
        algorithm=algorithm,
        blob=blob,
        comment=comment[:256],
        fingerprint=":".join(md5[i : i + 2] for i in range(0, 32, 2)),
        fingerprint_sha256=f"SHA256:{sha256}",
    )


def _not_text_reason(char: str) -> str:
    if char == "\x00":
        return "Null characters are not allowed."
    if char in "\r\n":
        return "one key per request, on one line"
    if "\ud800" <= char <= "\udfff":
        return "the key text holds an unpaired surrogate"
    return f"the key text holds a control character (U+{ord(char):04X})"
