"""OpenPGP keys built packet by packet (RFC 9580, version 4), for the key bounds tests.

pysequoia generates keys of its own profiles only (RSA with e = 65537, at most 4,096
bits), and a 16,385-bit key takes minutes to generate, so these are made by hand:

- :func:`signed_rsa_key`: a complete certificate of an RSA key whose private half we have
  (any exponent cryptography accepts), with a user ID bound by a SHA-256 positive
  certification, which Sequoia's standard policy accepts;
- :func:`unsigned_rsa_key`: a key packet with any modulus and exponent and a user ID, no
  signature (the parser refuses an out-of-bounds key before it checks signatures).
"""

from __future__ import annotations

import base64
import hashlib
import math
import time

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

PUBLIC_KEY, USER_ID, SIGNATURE = 6, 13, 2
RSA, SHA256, POSITIVE_CERTIFICATION = 1, 8, 0x13


def mpi(value: int) -> bytes:
    return value.bit_length().to_bytes(2, "big") + value.to_bytes((value.bit_length() + 7) // 8, "big")


def packet(tag: int, body: bytes) -> bytes:
    """A packet in the new format (RFC 9580 §4.2.1)."""
    size = len(body)
    if size < 192:
        length = bytes([size])
    elif size < 8384:
        length = bytes([((size - 192) >> 8) + 192, (size - 192) & 0xFF])
    else:
        length = b"\xff" + size.to_bytes(4, "big")
    return bytes([0xC0 | tag]) + length + body


def crc24(data: bytes) -> int:
    crc = 0xB704CE
    for byte in data:
        crc ^= byte << 16
        for _ in range(8):
            crc <<= 1
            if crc & 0x1000000:
                crc ^= 0x1864CFB
    return crc & 0xFFFFFF


def armor(data: bytes) -> str:
    text = base64.b64encode(data).decode()
    lines = [text[i : i + 64] for i in range(0, len(text), 64)]
    checksum = base64.b64encode(crc24(data).to_bytes(3, "big")).decode()
    return "\n".join(["-----BEGIN PGP PUBLIC KEY BLOCK-----", "", *lines, f"={checksum}",
                      "-----END PGP PUBLIC KEY BLOCK-----", ""])  # fmt: skip


def key_body(n: int, e: int, created: int) -> bytes:
    return b"\x04" + created.to_bytes(4, "big") + bytes([RSA]) + mpi(n) + mpi(e)


def subpacket(kind: int, data: bytes) -> bytes:
    return bytes([len(data) + 1, kind]) + data


def unsigned_rsa_key(n: int, e: int, user_id: str = "Mallory <mallory@example.org>") -> str:
    body = key_body(n, e, int(time.time()) - 60)
    return armor(packet(PUBLIC_KEY, body) + packet(USER_ID, user_id.encode()))


def signed_rsa_key(private_key: rsa.RSAPrivateKey, user_id: str = "Carol <carol@example.org>") -> str:
    numbers = private_key.public_key().public_numbers()
    created = int(time.time()) - 60
    body = key_body(numbers.n, numbers.e, created)
    framed_key = b"\x99" + len(body).to_bytes(2, "big") + body
    fingerprint = hashlib.sha1(framed_key).digest()  # noqa: S324 - the v4 fingerprint is SHA-1 by definition
    uid = user_id.encode()
    hashed_subpackets = (
        subpacket(2, created.to_bytes(4, "big"))  # signature creation time
        + subpacket(33, b"\x04" + fingerprint)  # issuer fingerprint
        + subpacket(27, b"\x03")  # key flags: certify, sign
    )
    hashed = bytes([4, POSITIVE_CERTIFICATION, RSA, SHA256]) + len(hashed_subpackets).to_bytes(2, "big")
    hashed += hashed_subpackets
    signed = framed_key + b"\xb4" + len(uid).to_bytes(4, "big") + uid + hashed
    signed += b"\x04\xff" + len(hashed).to_bytes(4, "big")
    signature = private_key.sign(signed, padding.PKCS1v15(), hashes.SHA256())
    unhashed = subpacket(16, fingerprint[-8:])  # issuer key id
    signature_body = hashed + len(unhashed).to_bytes(2, "big") + unhashed + hashlib.sha256(signed).digest()[:2]
    signature_body += mpi(int.from_bytes(signature, "big"))
    return armor(packet(PUBLIC_KEY, body) + packet(USER_ID, uid) + packet(SIGNATURE, signature_body))


def rsa_private_key(exponent: int, bits: int = 2048) -> rsa.RSAPrivateKey:
    """An RSA key with the given (odd) public exponent: primes from a generated key, d recomputed."""
    while True:
        primes = rsa.generate_private_key(public_exponent=65537, key_size=bits).private_numbers()
        p, q = primes.p, primes.q
        lcm = math.lcm(p - 1, q - 1)
        if math.gcd(exponent, lcm) == 1:
            break
    d = pow(exponent, -1, lcm)
    public = rsa.RSAPublicNumbers(exponent, p * q)
    return rsa.RSAPrivateNumbers(
        p, q, d, rsa.rsa_crt_dmp1(d, p), rsa.rsa_crt_dmq1(d, q), rsa.rsa_crt_iqmp(p, q), public
    ).private_key()
