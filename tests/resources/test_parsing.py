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
