"""§2 credentials through the HTTP stack: keys, the exchange, presenting, scopes."""

from datetime import timedelta

import jwt
import pytest
from django.conf import settings
from django.utils import timezone

from accounts.models import AuditLogEntry
from auth.models import ApiKey

pytestmark = pytest.mark.django_db


def exchange(api_client, secret, *, body=False):
    if body:
        return api_client.post("/api/v1/authenticate", {"apiKey": secret}, format="json")
    return api_client.post(f"/api/v1/authenticate?apiKey={secret}")


@pytest.mark.parametrize("body", [False, True])
def test_exchange_returns_token_and_expires_in_milliseconds(api_client, api_key, body):
    response = exchange(api_client, api_key.secret, body=body)
    assert response.status_code == 200
    data = response.json()
    assert set(data) == {"token", "expiresIn"}
    assert 3_590_000 <= data["expiresIn"] <= 3_600_000
    claims = jwt.decode(data["token"], str(settings.SIMPLE_JWT["SIGNING_KEY"]), algorithms=["HS256"])
    assert claims["api_key_id"] == api_key.api_key.pk
    assert claims["scopes"] == ["*"]


def test_jwt_is_not_signed_with_the_django_secret_key(api_client, api_key):
    token = exchange(api_client, api_key.secret).json()["token"]
    with pytest.raises(jwt.InvalidSignatureError):
        jwt.decode(token, settings.SECRET_KEY, algorithms=["HS256"])


@pytest.mark.parametrize("scheme", ["Bearer", "bearer", "token", "Token", "HangarAuth"])
def test_jwt_and_key_accepted_with_bearer_token_and_hangarauth_schemes(api_client, api_key, scheme):
    """``HangarAuth <jwt>`` is what Hangar's server takes and its clients send (§2.4)."""
    token = exchange(api_client, api_key.secret).json()["token"]
    for credential in (token, api_key.secret):
        response = api_client.get("/api/v1/keys", HTTP_AUTHORIZATION=f"{scheme} {credential}")
        assert response.status_code == 200, response.content


def test_jwt_expiry_never_outlives_the_key(api_client, make_key):
    issued = make_key(expires=timezone.now() + timedelta(minutes=10))
    assert exchange(api_client, issued.secret).json()["expiresIn"] <= 600_000


def tamper(token):
    head, payload, sig = token.split(".")
    return f"{head}.{payload}.{sig[:-4]}AAAA"


def alg_none(token):
    claims = jwt.decode(token, options={"verify_signature": False})
    return jwt.encode(claims, key=None, algorithm="none")  # type: ignore[arg-type]


def other_key(token):
    claims = jwt.decode(token, options={"verify_signature": False})
    return jwt.encode(claims, "another-signing-key-another-signing-key", algorithm="HS256")


def expired(token):
    claims = jwt.decode(token, options={"verify_signature": False})
    claims["exp"] = int(timezone.now().timestamp()) - 10
    return jwt.encode(claims, str(settings.SIMPLE_JWT["SIGNING_KEY"]), algorithm="HS256")


@pytest.mark.parametrize("mangle", [tamper, alg_none, other_key, expired], ids=lambda f: f.__name__)
def test_bad_jwts_are_401_with_www_authenticate(api_client, api_key, mangle):
    token = exchange(api_client, api_key.secret).json()["token"]
    response = api_client.get("/api/v1/keys", HTTP_AUTHORIZATION=f"Bearer {mangle(token)}")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'
    assert set(response.json()) == {"errors"}


@pytest.mark.parametrize(
    "header",
    ["Basic dXNlcjpwYXNz", "Bearer", "Bearer ", "Bearer a b", "Digest x", "apisvc_x", "Bearer apisvc_short_key"],
)
def test_malformed_authorization_is_401(api_client, header):
    response = api_client.get("/api/v1/version", HTTP_AUTHORIZATION=header)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'


def test_unknown_key_is_401_on_exchange_and_use(api_client, api_key):
    wrong = api_key.secret[:-1] + ("A" if api_key.secret[-1] != "A" else "B")
    assert exchange(api_client, wrong).status_code == 401
    assert api_client.get("/api/v1/keys", HTTP_AUTHORIZATION=f"token {wrong}").status_code == 401


def test_expired_key_is_401(api_client, make_key):
    issued = make_key()
    ApiKey.objects.filter(pk=issued.api_key.pk).update(expires=timezone.now() - timedelta(seconds=1))
    assert exchange(api_client, issued.secret).status_code == 401
    assert api_client.get("/api/v1/keys", HTTP_AUTHORIZATION=f"token {issued.secret}").status_code == 401


def test_inactive_user_is_401(api_client, api_key, user):
    user.is_active = False
    user.save()
    assert exchange(api_client, api_key.secret).status_code == 401
    assert api_client.get("/api/v1/keys", HTTP_AUTHORIZATION=f"token {api_key.secret}").status_code == 401


def test_missing_api_key_on_exchange_is_a_400_naming_the_field(api_client):
    response = api_client.post("/api/v1/authenticate", {}, format="json")
    assert response.status_code == 400
    assert response.json() == {
        "errors": [{"field": "apiKey", "reason": "apiKey is required, in the query string or the JSON body"}]
    }


def test_no_credential_is_401(api_client):
    response = api_client.get("/api/v1/keys")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'


class TestKeys:
    def test_create_shows_the_secret_once(self, api_client, auth_headers):
        response = api_client.post(
            "/api/v1/keys", {"name": "ci", "scopes": ["repos:read"]}, format="json", **auth_headers
        )
        assert response.status_code == 201
        created = response.json()
        assert created["key"].startswith("apisvc_")
        assert set(created) == {"id", "name", "identifier", "scopes", "expires", "created", "last_used", "key"}
        assert created["created"].endswith("+00:00")
        listed = api_client.get("/api/v1/keys", **auth_headers).json()
        assert all("key" not in row and "secret_hash" not in row for row in listed["results"])
        assert listed["total"] == 2
        fetched = api_client.get(f"/api/v1/keys/{created['id']}", **auth_headers).json()
        assert "key" not in fetched and fetched["scopes"] == ["repos:read"]
        row = ApiKey.objects.get(pk=created["id"])
        assert created["key"].split("_")[2] not in row.secret_hash

    def test_new_key_cannot_exceed_the_creating_credentials_scopes(self, api_client, make_key):
        limited = make_key(scopes=["apikeys:write", "repos:read"])
        headers = {"HTTP_AUTHORIZATION": f"Bearer {limited.secret}"}
        for scopes in (["*"], ["repos:write"], ["keys:read"]):
            response = api_client.post("/api/v1/keys", {"name": "x", "scopes": scopes}, format="json", **headers)
            assert response.status_code == 403, scopes
            assert "exceed" in response.json()["errors"][0]["reason"]
        ok = api_client.post("/api/v1/keys", {"name": "x", "scopes": ["repos:read"]}, format="json", **headers)
        assert ok.status_code == 201

    def test_creating_needs_apikeys_write_and_names_it(self, api_client, make_key):
        reader = make_key(scopes=["apikeys:read"])
        response = api_client.post(
            "/api/v1/keys",
            {"name": "x", "scopes": ["apikeys:read"]},
            format="json",
            HTTP_AUTHORIZATION=f"Bearer {reader.secret}",
        )
        assert response.status_code == 403
        assert "apikeys:write" in response.json()["errors"][0]["reason"]

    def test_listing_needs_apikeys_read(self, api_client, make_key):
        nothing = make_key(scopes=["repos:read"])
        response = api_client.get("/api/v1/keys", HTTP_AUTHORIZATION=f"Bearer {nothing.secret}")
        assert response.status_code == 403
        assert "apikeys:read" in response.json()["errors"][0]["reason"]

    @pytest.mark.parametrize(
        ("body", "field"),
        [({"scopes": ["*"]}, "name"), ({"name": "x", "scopes": ["root"]}, "scopes.0"), ({"name": "x"}, "scopes"),
         ({"name": "x", "scopes": ["*"], "expires": "2001-01-01T00:00:00Z"}, "expires")],
    )  # fmt: skip
    def test_invalid_create_is_a_400_naming_the_field(self, api_client, auth_headers, body, field):
        response = api_client.post("/api/v1/keys", body, format="json", **auth_headers)
        assert response.status_code == 400
        assert field in [error.get("field") for error in response.json()["errors"]]

    def test_another_users_key_is_404(self, api_client, auth_headers, make_key, other_user):
        theirs = make_key(owner=other_user)
        assert api_client.get(f"/api/v1/keys/{theirs.api_key.pk}", **auth_headers).status_code == 404
        assert api_client.delete(f"/api/v1/keys/{theirs.api_key.pk}", **auth_headers).status_code == 404

    def test_delete_is_204_and_the_key_stops_working(self, api_client, auth_headers, make_key):
        doomed = make_key()
        response = api_client.delete(f"/api/v1/keys/{doomed.api_key.pk}", **auth_headers)
        assert response.status_code == 204 and response.content == b""
        assert exchange(api_client, doomed.secret).status_code == 401

    def test_huge_id_is_400_not_500(self, api_client, auth_headers):
        response = api_client.get("/api/v1/keys/99999999999999999999999", **auth_headers)
        assert response.status_code == 400 and response.json()["errors"][0]["field"] == "id"
        assert api_client.get("/api/v1/keys/9223372036854775807", **auth_headers).status_code == 404


def test_audit_records_create_delete_and_authenticate_with_ip(api_client, user, auth_headers):
    created = api_client.post("/api/v1/keys", {"name": "a", "scopes": ["*"]}, format="json", **auth_headers).json()
    exchange(api_client, created["key"])
    api_client.delete(f"/api/v1/keys/{created['id']}", **auth_headers)
    actions = list(AuditLogEntry.objects.filter(user=user).order_by("id").values_list("action", "ip"))
    assert ("api-key:create", "127.0.0.1") in actions
    assert ("api-key:authenticate", "127.0.0.1") in actions
    assert ("api-key:delete", "127.0.0.1") in actions


def test_last_used_written_at_most_once_a_minute(api_client, api_key, django_assert_num_queries):
    api_client.get("/api/v1/version", HTTP_AUTHORIZATION=f"token {api_key.secret}")
    first = ApiKey.objects.get(pk=api_key.api_key.pk).last_used
    assert first is not None
    api_client.get("/api/v1/version", HTTP_AUTHORIZATION=f"token {api_key.secret}")
    assert ApiKey.objects.get(pk=api_key.api_key.pk).last_used == first
