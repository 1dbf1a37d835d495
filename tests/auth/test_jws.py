"""``auth.jws``, the exchange's JWT signer: the bytes PyJWT writes, or PyJWT writes them."""

import warnings

import jwt
import pytest
from rest_framework_simplejwt.backends import TokenBackend

from auth import jws, services

KEY = b"k" * 32

CLAIMS = [
    {"token_type": "access", "exp": 1_800_000_000, "iat": 1_799_996_400, "jti": "0" * 32, "user_id": 1,
     "username": "alice", "api_key_id": 7, "scopes": ["*"]},
    {"token_type": "access", "exp": 4_102_444_800, "iat": 0, "jti": "f" * 32, "user_id": 2**53,
     "username": "zoë-ünïcode-名前", "api_key_id": 2**31 - 1, "scopes": []},
    {"user_id": 3, "scopes": sorted(f"scope{i}:read" for i in range(40)), "quote": 'a "b" \\ c\n\u2028'},
]  # fmt: skip


@pytest.mark.parametrize("claims", CLAIMS)
@pytest.mark.parametrize("key", [KEY, b"\x00\xff" * 40, "schlüssel-".encode() * 4])
def test_it_writes_exactly_what_pyjwt_writes(claims, key):
    assert jws.hs256_encode(claims, key) == jwt.encode(claims, key, algorithm="HS256")
    assert (
        jwt.decode(
            jws.hs256_encode(claims, key), key, algorithms=["HS256"], options={"verify_exp": False, "verify_iat": False}
        )
        == claims
    )


def test_it_refuses_a_key_shorter_than_the_hash():
    with pytest.raises(ValueError, match="32 bytes"):
        jws.hs256_encode(CLAIMS[0], b"k" * 31)


@pytest.mark.django_db
def test_the_exchange_mints_what_simplejwt_mints_for_the_same_claims(api_client, api_key):
    """Both ways (CI runs it with API_FAST_PATHS=0 too): simplejwt's own encoder, given the
    token's claims, writes the same token, and simplejwt reads it back."""
    from rest_framework_simplejwt.state import token_backend
    from rest_framework_simplejwt.tokens import AccessToken

    token = api_client.post(f"/api/v1/authenticate?apiKey={api_key.secret}").json()["token"]
    claims = jwt.decode(token, options={"verify_signature": False})
    assert list(claims) == ["token_type", "exp", "iat", "jti", "user_id", "username", "api_key_id", "scopes"]
    assert list(AccessToken().payload) == ["token_type", "exp", "iat", "jti"]  # simplejwt's own, in its order
    assert token_backend.encode(claims) == token
    parsed = AccessToken(token)  # type: ignore[arg-type]
    assert (parsed["token_type"], parsed["user_id"], parsed["username"]) == ("access", api_key.api_key.user_id, "alice")
    assert claims["exp"] - claims["iat"] == 3600 and len(claims["jti"]) == 32


@pytest.mark.parametrize(
    "backend",
    [
        TokenBackend("HS256", "short-key"),  # PyJWT warns about it on every token: its path, its warning
        TokenBackend("HS512", "k" * 64),
        TokenBackend("HS256", "k" * 32, audience="apiservice"),
        TokenBackend("HS256", "k" * 32, issuer="https://api.example.org"),
    ],
    ids=["short-key", "hs512", "audience", "issuer"],
)
def test_a_backend_the_signer_cannot_serve_goes_through_simplejwt(backend, monkeypatch):
    from rest_framework_simplejwt import state

    monkeypatch.setattr(state, "token_backend", backend)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        token = services.jwt_encode(dict(CLAIMS[0]))
        expected = backend.encode(dict(CLAIMS[0]))
    assert token == expected
    assert jwt.get_unverified_header(token)["alg"] == backend.algorithm
    short = [w for w in caught if issubclass(w.category, jwt.InsecureKeyLengthWarning)]
    assert len(short) == (2 if backend.signing_key == "short-key" else 0)


@pytest.mark.fast_path
def test_a_plain_hs256_backend_signs_without_pyjwt(monkeypatch):
    """The fast path: no call into PyJWT's encoder (which checks the key's format every time)."""
    from rest_framework_simplejwt import state

    calls = []

    def encode(*args, **kwargs):
        calls.append(args)
        return ""

    monkeypatch.setattr(jwt.PyJWS, "encode", encode)
    monkeypatch.setattr(state, "token_backend", TokenBackend("HS256", "k" * 32))
    token = services.jwt_encode(dict(CLAIMS[0]))
    assert calls == []
    assert token == jws.hs256_encode(CLAIMS[0], b"k" * 32)
