"""Bounds on RSA public keys, shared by the SSH and OpenPGP parsers. No Django.

- The modulus has at most 16,384 bits: OpenSSH's limit (``SSH_RSA_MAXIMUM_MODULUS_SIZE``)
  and OpenSSL's (``OPENSSL_RSA_MAX_MODULUS_BITS``); GnuPG generates at most 4,096.
- The public exponent is odd, at least 3 and below 2**32. Every key ssh-keygen and gpg
  make has 65537; old keys have 3, 17, 35 or 41. 32 bits is where Windows' CryptoAPI
  stops, and OpenSSL refuses exponents over 64 bits with a modulus over 3,072 bits.
  A huge exponent makes every signature check slow, and serves no one.
"""

from __future__ import annotations

MAX_RSA_BITS = 16384
MAX_RSA_EXPONENT = 2**32  # exclusive


def rsa_key_problem(modulus: int, exponent: int) -> str | None:
    """Why this RSA public key is refused, or None."""
    bits = modulus.bit_length()
    if bits > MAX_RSA_BITS:
        return f"RSA keys may have at most {MAX_RSA_BITS} bits; this one has {bits}"
    if not 3 <= exponent < MAX_RSA_EXPONENT or exponent % 2 == 0:
        return "the RSA public exponent must be odd, at least 3 and below 2^32 (keys use 65537)"
    return None
