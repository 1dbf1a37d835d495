"""``/api/v1/oauth/apps``: registration, the secret shown once and hashed, changes, scopes."""

import pytest
from oauth2_provider.models import Application

from auth.oauth.services import OOB_URI

pytestmark = pytest.mark.django_db

BODY = {"name": "CI", "redirect_uris": ["https://ci.example/cb", OOB_URI], "scopes": ["repos:read"]}


def test_a_confidential_clients_secret_is_shown_once_and_stored_hashed(api_client, auth_headers):
    created = api_client.post("/api/v1/oauth/apps", BODY, format="json", **auth_headers)
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["client_type"] == "confidential" and body["scopes"] == ["repos:read"]
    assert body["redirect_uris"] == BODY["redirect_uris"]
    secret = body["client_secret"]
    assert secret and len(secret) >= 40
    stored = Application.objects.get(client_id=body["client_id"]).client_secret
    assert stored.startswith("pbkdf2_sha256$") and secret not in stored

    listed = api_client.get("/api/v1/oauth/apps", **auth_headers).json()
    assert listed["total"] == 1 and "client_secret" not in listed["results"][0]
    shown = api_client.get(f"/api/v1/oauth/apps/{body['client_id']}", **auth_headers).json()
    assert "client_secret" not in shown and shown["name"] == "CI"


def test_a_public_client_has_no_secret(api_client, auth_headers):
    created = api_client.post("/api/v1/oauth/apps", {**BODY, "client_type": "public"}, format="json", **auth_headers)
    assert created.status_code == 201 and created.json()["client_secret"] is None


@pytest.mark.parametrize(
    "field, value",
    [
        ("redirect_uris", ["ftp://ci.example/cb"]),
        ("redirect_uris", ["https://ci.example/cb#frag"]),
        ("redirect_uris", []),
        ("scopes", ["*"]),
        ("scopes", ["repos:admin"]),
        ("client_type", "implicit"),
    ],
)
def test_bad_fields_are_400s_naming_the_field(api_client, auth_headers, field, value):
    response = api_client.post("/api/v1/oauth/apps", {**BODY, field: value}, format="json", **auth_headers)
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"].startswith(field)


def test_put_changes_the_app_and_revokes_tokens_with_lost_scopes(api_client, auth_headers, user):
    from datetime import timedelta

    from django.utils import timezone
    from oauth2_provider.models import AccessToken

    client_id = api_client.post(
        "/api/v1/oauth/apps", {**BODY, "scopes": ["repos:read", "keys:read"]}, format="json", **auth_headers
    ).json()["client_id"]
    application = Application.objects.get(client_id=client_id)
    expires = timezone.now() + timedelta(hours=1)
    kept = AccessToken.objects.create(
        user=user, application=application, scope="repos:read", expires=expires, token="a"
    )
    AccessToken.objects.create(user=user, application=application, scope="keys:read", expires=expires, token="b")
    response = api_client.put(
        f"/api/v1/oauth/apps/{client_id}",
        {"name": "CI 2", "redirect_uris": ["https://ci.example/v2"], "scopes": ["repos:read"]},
        format="json",
        **auth_headers,
    )
    assert response.status_code == 200, response.content
    assert response.json()["name"] == "CI 2" and response.json()["scopes"] == ["repos:read"]
    assert list(AccessToken.objects.values_list("pk", flat=True)) == [kept.pk]


def test_the_oauthapps_scope_is_needed_and_others_apps_are_404(api_client, headers_for, user, other_user):
    assert api_client.get("/api/v1/oauth/apps", **headers_for(user, scopes=["repos:read"])).status_code == 403
    created = api_client.post(
        "/api/v1/oauth/apps", BODY, format="json", **headers_for(user, scopes=["oauthapps:write"])
    )
    assert created.status_code == 201
    client_id = created.json()["client_id"]
    assert api_client.get(f"/api/v1/oauth/apps/{client_id}", **headers_for(other_user)).status_code == 404
    assert api_client.delete(f"/api/v1/oauth/apps/{client_id}", **headers_for(other_user)).status_code == 404


def test_a_confidential_client_authenticates_with_its_secret(api_client, auth_headers, user):
    """Authorization: Basic at the token endpoint passes the credential middleware untouched."""
    import base64

    from authlib.common.security import generate_token
    from authlib.oauth2.rfc7636 import create_s256_code_challenge
    from django.test import Client

    body = api_client.post("/api/v1/oauth/apps", BODY, format="json", **auth_headers).json()
    browser = Client()
    browser.force_login(user)
    verifier = generate_token(48)
    params = {
        "response_type": "code",
        "client_id": body["client_id"],
        "redirect_uri": "https://ci.example/cb",
        "scope": "repos:read",
        "code_challenge": create_s256_code_challenge(verifier),
        "code_challenge_method": "S256",
        "allow": "on",
    }
    redirect = browser.post("/authorize", params)
    code = redirect["Location"].split("code=")[1].split("&")[0]
    basic = base64.b64encode(f"{body['client_id']}:{body['client_secret']}".encode()).decode()
    data = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": params["redirect_uri"],
        "code_verifier": verifier,
    }
    wrong = base64.b64encode(f"{body['client_id']}:nope".encode()).decode()
    assert (
        api_client.post(
            "/api/v1/oauth/token", data, format="multipart", HTTP_AUTHORIZATION=f"Basic {wrong}"
        ).status_code
        == 401
    )
    token = api_client.post("/api/v1/oauth/token", data, format="multipart", HTTP_AUTHORIZATION=f"Basic {basic}")
    assert token.status_code == 200, token.content


def test_the_admin_pages_show_no_token_or_secret(api_client, auth_headers, user, django_user_model):
    from datetime import timedelta

    from django.test import Client
    from django.utils import timezone
    from oauth2_provider.models import AccessToken, RefreshToken

    from auth.oauth.tokens import access_token_text, refresh_token_text

    body = api_client.post("/api/v1/oauth/apps", BODY, format="json", **auth_headers).json()
    application = Application.objects.get(client_id=body["client_id"])
    access_text, refresh_text = access_token_text(), refresh_token_text()
    access = AccessToken(
        user=user, application=application, scope="repos:read", expires=timezone.now() + timedelta(hours=1)
    )
    access._raw_token, access.token = access_text, ""
    access.save()
    refresh = RefreshToken(user=user, application=application, access_token=access)
    refresh._raw_token, refresh.token = refresh_text, ""
    refresh.save()
    admin = Client()
    admin.force_login(django_user_model.objects.create_superuser("root", password="x" * 20))
    pages = [
        "/admin/oauth2_provider/application/",
        f"/admin/oauth2_provider/application/{application.pk}/change/",
        "/admin/oauth2_provider/accesstoken/",
        f"/admin/oauth2_provider/accesstoken/{access.pk}/change/",
        "/admin/oauth2_provider/refreshtoken/",
        f"/admin/oauth2_provider/refreshtoken/{refresh.pk}/change/",
        "/admin/api_auth/oauthclient/",
        f"/admin/api_auth/oauthclient/{application.pk}/change/",
    ]
    for page in pages:
        response = admin.get(page)
        assert response.status_code == 200, page
        content = response.content.decode()
        for secret in (body["client_secret"], access_text, refresh_text, access_text[11:], refresh_text[11:]):
            assert secret not in content, page


# ------------------------------------------------- Funkwhale's shape (issue 24 item 9)

FUNKWHALE = {"name": "Funkwhale CLI", "redirect_uris": f"https://a.example/cb  https://b.example/cb\n{OOB_URI}",
             "scopes": "repos:read keys:read"}  # fmt: skip


def test_whitespace_separated_strings_are_lists_too(api_client, auth_headers):
    created = api_client.post("/api/v1/oauth/apps", FUNKWHALE, format="json", **auth_headers)
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["redirect_uris"] == ["https://a.example/cb", "https://b.example/cb", OOB_URI]
    assert body["scopes"] == ["keys:read", "repos:read"] and body["client_secret"]
    changed = api_client.put(
        f"/api/v1/oauth/apps/{body['client_id']}", {**FUNKWHALE, "scopes": "repos:read"}, format="json", **auth_headers
    )
    assert changed.status_code == 200 and changed.json()["scopes"] == ["repos:read"]


@pytest.mark.parametrize(
    ("field", "value", "reason"),
    [
        ("scopes", "repos:read read write", 'scopes.1: "read" is not one of the allowed values'),
        ("scopes", " ", "scopes may not be empty"),
        ("redirect_uris", "https://a.example/cb ftp://b.example/cb", "'ftp://b.example/cb' is not an absolute"),
        ("redirect_uris", "", "redirect_uris may not be empty"),
    ],
)
def test_a_bad_word_is_named(api_client, auth_headers, field, value, reason):
    response = api_client.post("/api/v1/oauth/apps", {**FUNKWHALE, field: value}, format="json", **auth_headers)
    assert response.status_code == 400
    error = response.json()["errors"][0]
    assert error["field"].startswith(field) and error["reason"].startswith(reason)
    assert not Application.objects.exclude(client_id="apiservice-docs").exists()


def test_every_unknown_scope_in_the_string_is_named(api_client, auth_headers):
    body = {**FUNKWHALE, "scopes": "repos:read read write"}
    response = api_client.post("/api/v1/oauth/apps", body, format="json", **auth_headers)
    assert response.json()["errors"] == [
        {"field": "scopes.1", "reason": 'scopes.1: "read" is not one of the allowed values'},
        {"field": "scopes.2", "reason": 'scopes.2: "write" is not one of the allowed values'},
    ]


def test_the_openapi_document_gives_both_shapes(api_client):
    schema = api_client.get("/api/v1/schema?format=json").json()
    request = schema["components"]["schemas"]["OAuthAppCreateRequest"]["properties"]
    for field in ("redirect_uris", "scopes"):
        listed, words = request[field]["oneOf"]
        assert listed["type"] == "array" and words["type"] == "string"
    from auth.scopes import ALL_SCOPES

    assert request["scopes"]["oneOf"][0]["items"]["enum"] == list(ALL_SCOPES)
    response = schema["components"]["schemas"]["OAuthApp"]["properties"]  # answers: lists, as before
    assert response["redirect_uris"]["type"] == "array" and "oneOf" not in response["scopes"]


# ------------------------------------------------------------- rotating the secret


def token_status(api_client, user, client_id: str, secret: str) -> int:
    """The token endpoint's status for a fresh code, the client authenticating with ``secret``."""
    import base64

    from authlib.common.security import generate_token
    from authlib.oauth2.rfc7636 import create_s256_code_challenge
    from django.test import Client

    browser = Client()
    browser.force_login(user)
    verifier = generate_token(48)
    params = {
        "response_type": "code", "client_id": client_id, "redirect_uri": "https://ci.example/cb", "scope": "repos:read",
        "code_challenge": create_s256_code_challenge(verifier), "code_challenge_method": "S256", "allow": "on",
    }  # fmt: skip
    code = browser.post("/authorize", params)["Location"].split("code=")[1].split("&")[0]
    data = {"grant_type": "authorization_code", "code": code, "redirect_uri": params["redirect_uri"],
            "code_verifier": verifier}  # fmt: skip
    basic = base64.b64encode(f"{client_id}:{secret}".encode()).decode()
    return api_client.post(
        "/api/v1/oauth/token", data, format="multipart", HTTP_AUTHORIZATION=f"Basic {basic}"
    ).status_code


def test_rotating_the_secret_replaces_it_at_once(api_client, auth_headers, user):
    from accounts.models import AuditLogEntry

    body = api_client.post("/api/v1/oauth/apps", BODY, format="json", **auth_headers).json()
    rotated = api_client.post(f"/api/v1/oauth/apps/{body['client_id']}/rotate-secret", **auth_headers)
    assert rotated.status_code == 200, rotated.content
    assert "no-store" in rotated["Cache-Control"].split(", ")
    new = rotated.json()
    assert {**new, "client_secret": None, "updated": None} == {**body, "client_secret": None, "updated": None}
    assert new["client_secret"] != body["client_secret"] and len(new["client_secret"]) >= 40
    assert token_status(api_client, user, body["client_id"], body["client_secret"]) == 401
    assert token_status(api_client, user, body["client_id"], new["client_secret"]) == 200
    assert AuditLogEntry.objects.filter(user=user, action="oauth-app:rotate-secret").count() == 1


def test_rotating_needs_oauthapps_write_a_confidential_client_and_your_own(api_client, headers_for, user, other_user):
    mine = headers_for(user)
    confidential = api_client.post("/api/v1/oauth/apps", BODY, format="json", **mine).json()["client_id"]
    public = api_client.post("/api/v1/oauth/apps", {**BODY, "client_type": "public"}, format="json", **mine)
    path = "/api/v1/oauth/apps/{}/rotate-secret"
    refused = api_client.post(path.format(public.json()["client_id"]), **mine)
    assert refused.status_code == 400
    assert refused.json()["errors"] == [{"field": "client_type", "reason": "a public client has no secret to rotate"}]
    assert api_client.post(path.format(confidential), **headers_for(user, ["oauthapps:read"])).status_code == 403
    assert api_client.post(path.format(confidential), **headers_for(other_user)).status_code == 404
    assert api_client.get(path.format(confidential), **mine).status_code == 405
