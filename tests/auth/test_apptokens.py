"""Quay's app tokens (``/api/v1/user/apptoken``): shapes, secret once, revocation, scope."""

import uuid

import pytest

pytestmark = pytest.mark.django_db

FIELDS = {"uuid", "title", "created", "last_accessed", "expiration"}


def test_create_shows_the_token_code_once_in_quays_shape(api_client, auth_headers):
    created = api_client.post("/api/v1/user/apptoken", {"title": "CI"}, format="json", **auth_headers)
    assert created.status_code == 201
    token = created.json()["token"]
    assert set(token) == FIELDS | {"token_code"}
    assert token["title"] == "CI" and token["last_accessed"] is None and token["expiration"] is None
    assert token["token_code"].startswith("apisvc_")
    uuid.UUID(token["uuid"])

    listed = api_client.get("/api/v1/user/apptoken", **auth_headers).json()
    assert any(t["uuid"] == token["uuid"] for t in listed["tokens"])
    assert all(set(t) == FIELDS for t in listed["tokens"])
    shown = api_client.get(f"/api/v1/user/apptoken/{token['uuid']}", **auth_headers)
    assert shown.status_code == 200 and set(shown.json()["token"]) == FIELDS

    # the token is a credential; using it fills last_accessed
    assert api_client.get("/api/v1/repos", HTTP_AUTHORIZATION=f"Bearer {token['token_code']}").status_code == 200
    shown = api_client.get(f"/api/v1/user/apptoken/{token['uuid']}", **auth_headers).json()["token"]
    assert shown["last_accessed"] is not None


def test_delete_revokes_the_token(api_client, auth_headers):
    token = api_client.post("/api/v1/user/apptoken", {"title": "gone"}, format="json", **auth_headers).json()["token"]
    assert api_client.delete(f"/api/v1/user/apptoken/{token['uuid']}", **auth_headers).status_code == 204
    assert api_client.get(f"/api/v1/user/apptoken/{token['uuid']}", **auth_headers).status_code == 404
    assert api_client.get("/api/v1/repos", HTTP_AUTHORIZATION=f"Bearer {token['token_code']}").status_code == 401


def test_another_users_token_is_a_404(api_client, auth_headers, headers_for, other_user):
    token = api_client.post("/api/v1/user/apptoken", {"title": "mine"}, format="json", **auth_headers).json()["token"]
    theirs = headers_for(other_user)
    assert api_client.get(f"/api/v1/user/apptoken/{token['uuid']}", **theirs).status_code == 404
    assert api_client.delete(f"/api/v1/user/apptoken/{token['uuid']}", **theirs).status_code == 404


def test_needs_the_apikeys_scope_and_inherits_the_creators_scopes(api_client, headers_for, user):
    assert api_client.get("/api/v1/user/apptoken", **headers_for(user, scopes=["repos:read"])).status_code == 403
    narrow = headers_for(user, scopes=["apikeys:write", "repos:read"])
    created = api_client.post("/api/v1/user/apptoken", {"title": "narrow"}, format="json", **narrow)
    assert created.status_code == 201
    from auth.models import ApiKey

    assert ApiKey.objects.get(uuid=created.json()["token"]["uuid"]).scopes == ["apikeys:write", "repos:read"]


def test_a_title_is_required(api_client, auth_headers):
    response = api_client.post("/api/v1/user/apptoken", {}, format="json", **auth_headers)
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "title"
