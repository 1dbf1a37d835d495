"""Key parsing with real keys of each algorithm, and with garbage."""

import base64
import contextlib
import hashlib
import warnings

import pytest
from pysequoia import Profile, Tsk

from resources.parsing.pgp import InvalidPGPKey, parse_pgp_key
from resources.parsing.ssh import InvalidSSHKey, parse_ssh_key
from tests.resources.conftest import fixture


@pytest.mark.parametrize(
    ("name", "algorithm"),
    [("ssh_ed25519.pub", "ssh-ed25519"), ("ssh_rsa.pub", "ssh-rsa"), ("ssh_ecdsa.pub", "ecdsa-sha2-nistp256"),
     ("ssh_ecdsa384.pub", "ecdsa-sha2-nistp384")],
)  # fmt: skip
def test_ssh_keys_of_each_algorithm(name, algorithm):
    text = fixture(name)
    parsed = parse_ssh_key(text)
    blob = text.split()[1]
    md5 = hashlib.md5(base64.b64decode(blob)).hexdigest()
    assert parsed.algorithm == algorithm
    assert parsed.fingerprint == ":".join(md5[i : i + 2] for i in range(0, 32, 2))
    assert parsed.fingerprint_sha256.startswith("SHA256:") and not parsed.fingerprint_sha256.endswith("=")
    assert parsed.comment == name.removeprefix("ssh_").removesuffix(".pub") + "@fixtures"
    assert parsed.key == f"{algorithm} {blob}"


@pytest.mark.parametrize(
    "text",
    ["", "   ", "garbage", "ssh-ed25519", "ssh-ed25519 !!!notbase64", "ssh-ed25519 AAAA", "ssh-dss AAAAB3NzaC1kc3MAAACBAP",
     "ssh-rsa " + fixture("ssh_ed25519.pub").split()[1], "x" * 20000, fixture("ssh_rsa1024.pub")],
    ids=["empty", "blank", "word", "no-blob", "bad-base64", "short", "dss", "type-mismatch", "huge", "rsa-1024"],
)  # fmt: skip
def test_ssh_garbage_is_refused(text):
    with pytest.raises(InvalidSSHKey):
        parse_ssh_key(text)


@pytest.mark.parametrize(
    ("name", "email", "expires"),
    [("pgp_ed25519.asc", "alice@example.org", True), ("pgp_rsa.asc", "bob@example.org", False)],
)
def test_pgp_keys_parse(name, email, expires):
    parsed = parse_pgp_key(fixture(name))
    assert len(parsed.fingerprint) == 40 and parsed.fingerprint == parsed.fingerprint.upper()
    assert parsed.key_id == parsed.fingerprint[-16:]
    assert parsed.email == email
    assert (parsed.expiration is not None) is expires
    if expires:
        assert parsed.expiration is not None and parsed.expiration.tzinfo is not None


@pytest.mark.parametrize(
    ("text", "reason"),
    [("garbage", "ASCII-armored"), ("-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nnot a key\n-----END PGP PUBLIC KEY BLOCK-----", "not a valid"),
     (fixture("pgp_no_uid.asc"), "no user ID"), (fixture("pgp_ed25519_private.asc"), "private key"),
     ("-----BEGIN PGP PUBLIC KEY BLOCK-----" + "A" * 70000, "at most")],
)  # fmt: skip
def test_pgp_garbage_is_refused(text, reason):
    with pytest.raises(InvalidPGPKey, match=reason):
        parse_pgp_key(text)


def test_pgp_email_comes_from_a_bare_address_user_id():
    """Sequoia parses ``alice@example.org`` as well as ``Alice <alice@example.org>``."""
    cert = Tsk.generate("carol@example.org").extract_certificate()
    parsed = parse_pgp_key(str(cert))
    assert parsed.email == "carol@example.org"
    assert parsed.fingerprint == cert.fingerprint.upper() and parsed.expiration is None


def test_pgp_user_id_without_email_gives_an_empty_email():
    parsed = parse_pgp_key(str(Tsk.generate("Dave Example").extract_certificate()))
    assert parsed.email == ""


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("\n".join(str(Tsk.generate(f"{n} <{n}@example.org>").extract_certificate()) for n in "ab"), "one key"),
        (str(Tsk.generate("v6 <v6@example.org>", profile=Profile.RFC9580).extract_certificate()), "version 4"),
    ],
    ids=["keyring", "v6"],
)
def test_pgp_keyrings_and_v6_keys_are_refused(text, reason):
    with pytest.raises(InvalidPGPKey, match=reason):
        parse_pgp_key(text)


@pytest.mark.parametrize("name", ["pgp_ed25519.asc", "pgp_ed25519_private.asc"])
def test_pgp_parsing_emits_no_warning(name):
    """PGPy warned on every parse; Sequoia's deprecation of reading secret keys as ``Cert`` stays inside."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with contextlib.suppress(InvalidPGPKey):
            parse_pgp_key(fixture(name))


def test_pgp_user_id_bound_only_by_a_sha1_signature_is_refused():
    """Sequoia's standard policy rejects SHA-1 self-signatures (PGPy accepted them)."""
    with pytest.raises(InvalidPGPKey, match="no user ID with a valid self-signature"):
        parse_pgp_key(fixture("pgp_sha1.asc"))


# ----------------------------------------------------------------- key bounds (issue 22)


def ssh_rsa(e: int, bits: int) -> str:
    """An ``ssh-rsa`` line with these numbers: an odd modulus of ``bits`` bits, no primes needed."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    public = rsa.RSAPublicNumbers(e, (1 << (bits - 1)) | (1 << 7) | 1).public_key()
    line = public.public_bytes(serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH).decode()
    return f"{line} big@example"


@pytest.mark.parametrize(
    ("bits", "e"), [(16384, 65537), (4096, 3), (4096, 2**32 - 1)], ids=["16384-bits", "e=3", "e=2^32-1"]
)
def test_ssh_rsa_keys_at_the_bounds_are_accepted(bits, e):
    assert parse_ssh_key(ssh_rsa(e, bits)).algorithm == "ssh-rsa"


@pytest.mark.parametrize(
    ("bits", "e", "reason"),
    [(16385, 65537, "at most 16384 bits; this one has 16385"), (65536, 65537, "this one has 65536"),
     (90000, 65537, "this one has 90000"), (16384, 2**32 + 1, "exponent"), (16384, (1 << 16000) | 1, "exponent")],
    ids=["16385-bits", "65536-bits", "90000-bits", "e=2^32+1", "e-16001-bits"],
)  # fmt: skip
def test_ssh_rsa_keys_out_of_bounds_are_refused(bits, e, reason):
    with pytest.raises(InvalidSSHKey, match=reason):
        parse_ssh_key(ssh_rsa(e, bits))


@pytest.mark.parametrize(
    ("comment", "reason"),
    [("a\x00b", "Null characters are not allowed"), ("a\ud800b", "unpaired surrogate"),
     ("a\nssh-ed25519 AAAA b", "one key per request, on one line"), ("a\rb", "one line"), ("a\x1b[31mb", "U\\+001B"),
     ("a\x85b", "U\\+0085")],
    ids=["nul", "surrogate", "second-line", "cr", "escape", "c1"],
)  # fmt: skip
def test_ssh_comments_must_be_one_line_of_text(comment, reason):
    key = " ".join(fixture("ssh_ed25519.pub").split()[:2])
    with pytest.raises(InvalidSSHKey, match=reason):
        parse_ssh_key(f"{key} {comment}")
    assert parse_ssh_key(f"{key} a\tb é ✓\n").comment == "a\tb é ✓"  # a tab, any printable text, a final newline


@pytest.mark.parametrize("e", [65537, 3], ids=["e=65537", "e=3"])
def test_pgp_rsa_keys_within_the_bounds_are_accepted(e):
    from tests.resources.pgpkeys import rsa_private_key, signed_rsa_key

    assert parse_pgp_key(signed_rsa_key(rsa_private_key(e))).email == "carol@example.org"


def test_pgp_a_valid_key_with_a_33_bit_exponent_is_refused():
    """Sequoia accepts this key and its self-signature; the bound refuses it."""
    from tests.resources.pgpkeys import rsa_private_key, signed_rsa_key

    with pytest.raises(InvalidPGPKey, match="exponent must be odd, at least 3 and below 2\\^32"):
        parse_pgp_key(signed_rsa_key(rsa_private_key(2**32 + 15)))


@pytest.mark.parametrize(
    ("bits", "e", "reason"),
    [(16385, 65537, "at most 16384 bits; this one has 16385"), (65535, 65537, "this one has 65535"),
     (4096, (1 << 16000) | 1, "exponent")],
    ids=["16385-bits", "65535-bits", "e-16001-bits"],
)  # fmt: skip
def test_pgp_rsa_keys_out_of_bounds_are_refused_before_any_signature_check(bits, e, reason):
    """Keys too big to sign in a test, so without a signature: the bound is what refuses them.
    (An OpenPGP MPI counts its bits in 16 bits: 65,535 is the largest modulus it can carry.)"""
    from tests.resources.pgpkeys import unsigned_rsa_key

    with pytest.raises(InvalidPGPKey, match=reason):
        parse_pgp_key(unsigned_rsa_key((1 << (bits - 1)) | 1, e))


def test_pgp_an_unpaired_surrogate_is_refused():
    with pytest.raises(InvalidPGPKey, match="unpaired surrogate"):
        parse_pgp_key(fixture("pgp_rsa.asc") + "\ud800")
