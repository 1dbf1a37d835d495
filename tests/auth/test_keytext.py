"""API key text (auth/keytext.py): ``apisvc_<10 alnum>_<40 alnum>``, split, recognised and hashed."""

import pytest

from auth.keytext import (
    ALPHABET,
    IDENTIFIER_LENGTH,
    SECRET_LENGTH,
    key_text,
    looks_like_key,
    random_text,
    secret_hash,
    secret_matches,
    split_key,
)

IDENT = "AbC0123xyZ"
SECRET = "s" * 20 + "S9" * 10


def test_the_fixtures_have_the_real_lengths():
    assert (len(IDENT), len(SECRET)) == (IDENTIFIER_LENGTH, SECRET_LENGTH) == (10, 40)


@pytest.mark.parametrize(
    "text",
    [
        pytest.param(f"apisvc_{IDENT}_{SECRET}", id="mixed-case-and-digits"),
        pytest.param("apisvc_0000000000_" + "9" * 40, id="all-digits"),
    ],
)
def test_well_formed_key_splits(text):
    assert split_key(text, "apisvc") == tuple(text.split("_")[1:])


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("", id="empty"),
        pytest.param(f"apikey_{IDENT}_{SECRET}", id="wrong-prefix"),
        pytest.param(f"APISVC_{IDENT}_{SECRET}", id="prefix-case"),
        pytest.param(f"{IDENT}_{SECRET}", id="no-prefix"),
        pytest.param(f"apisvc_{IDENT[:-1]}_{SECRET}", id="identifier-too-short"),
        pytest.param(f"apisvc_{IDENT}x_{SECRET}", id="identifier-too-long"),
        pytest.param(f"apisvc_{IDENT}_{SECRET[:-1]}", id="secret-too-short"),
        pytest.param(f"apisvc_{IDENT}_{SECRET}x", id="secret-too-long"),
        pytest.param(f"apisvc_{IDENT}_{SECRET}_", id="trailing-underscore"),
        pytest.param(f"apisvc__{IDENT}_{SECRET}", id="double-underscore"),
        pytest.param(f"apisvc_{IDENT}_{SECRET[:20]}_{SECRET[21:]}", id="underscore-in-secret"),
        pytest.param(f"apisvc_{IDENT[:-1]}-_{SECRET}", id="dash-in-identifier"),
        pytest.param(f"apisvc_{IDENT}_{SECRET[:-1]}=", id="padding-in-secret"),
        pytest.param(f"apisvc_{IDENT}_{SECRET[:-1]}é", id="non-ascii-letter"),
        pytest.param(f"apisvc_{IDENT}_{SECRET[:-1]}٣", id="non-ascii-digit"),
        pytest.param(f" apisvc_{IDENT}_{SECRET}", id="leading-space"),
        pytest.param(f"apisvc_{IDENT}_{SECRET}\n", id="trailing-newline"),
    ],
)
def test_malformed_key_splits_to_none(text):
    assert split_key(text, "apisvc") is None


@pytest.mark.parametrize(
    "text, expected",
    [
        pytest.param(f"apisvc_{IDENT}_{SECRET}", True, id="key"),
        pytest.param("apisvc_", True, id="prefix-alone-is-enough"),
        pytest.param("apisvc_not-even-close", True, id="malformed-rest-still-looks-like-one"),
        pytest.param("apisvc", False, id="no-underscore"),
        pytest.param("eyJhbGciOiJIUzI1NiJ9.e30.sig", False, id="jwt"),
        pytest.param("", False, id="empty"),
    ],
)
def test_looks_like_key_only_checks_the_prefix(text, expected):
    assert looks_like_key(text, "apisvc") is expected


@pytest.mark.parametrize(
    "hmac_key, secret, expected",
    [
        pytest.param("hmac-key", SECRET, True, id="same-key-same-secret"),
        pytest.param("hmac-key", SECRET[:-1] + "x", False, id="wrong-secret"),
        pytest.param("hmac-key", "", False, id="empty-secret"),
        pytest.param("other-key", SECRET, False, id="wrong-hmac-key"),
    ],
)
def test_secret_matches_only_the_secret_under_the_same_hmac_key(hmac_key, secret, expected):
    stored = secret_hash("hmac-key", SECRET)
    assert secret_matches(hmac_key, secret, stored) is expected


def test_secret_hash_is_hex_sha256_and_does_not_contain_the_secret():
    stored = secret_hash("hmac-key", SECRET)
    assert len(stored) == 64 and set(stored) <= set("0123456789abcdef") and SECRET not in stored
    assert stored == secret_hash("hmac-key", SECRET)


def test_secret_matches_uses_a_constant_time_compare(monkeypatch):
    import hmac

    calls = []
    real = hmac.compare_digest

    def compare_digest(a, b):
        calls.append((a, b))
        return real(a, b)

    monkeypatch.setattr(hmac, "compare_digest", compare_digest)
    assert secret_matches("hmac-key", SECRET, secret_hash("hmac-key", SECRET))
    assert len(calls) == 1


def test_random_text_has_the_length_and_alphabet_asked_for():
    text = random_text(SECRET_LENGTH)
    assert len(text) == SECRET_LENGTH and set(text) <= set(ALPHABET)
    assert random_text(SECRET_LENGTH) != text


def test_key_text_round_trips_through_split_key():
    identifier, secret = random_text(IDENTIFIER_LENGTH), random_text(SECRET_LENGTH)
    text = key_text("apisvc", identifier, secret)
    assert looks_like_key(text, "apisvc")
    assert split_key(text, "apisvc") == (identifier, secret)
