"""Every response that carries a secret says ``Cache-Control: no-store`` (RFC 9111 §5.2.2.5),
so no cache, shared or the browser's, keeps it. The token endpoint's (RFC 6749 §5.1) is in
test_oauth.py, beside its fixtures."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def assert_no_store(response, secret_field: str) -> None:
    """``response`` carries ``secret_field`` and forbids storing it."""
    assert response.status_code in (200, 201), response.content
    assert secret_field in str(response.json())
    assert "no-store" in response["Cache-Control"].split(", ")


def test_the_key_exchange(api_client, api_key):
    response = api_client.post(f"/api/v1/authenticate?apiKey={api_key.secret}")
    assert_no_store(response, "token")


def test_a_new_api_key(api_client, auth_headers):
    response = api_client.post("/api/v1/keys", {"name": "ci", "scopes": ["repos:read"]}, format="json", **auth_headers)
    assert_no_store(response, "key")


def test_a_new_app_token(api_client, auth_headers):
    response = api_client.post("/api/v1/user/apptoken", {"title": "CI"}, format="json", **auth_headers)
    assert_no_store(response, "token_code")


def test_a_new_oauth_application_with_its_client_secret(api_client, auth_headers):
    body = {"name": "CI", "redirect_uris": ["https://ci.example/cb"], "scopes": ["repos:read"]}
    response = api_client.post("/api/v1/oauth/apps", {**body, "client_type": "confidential"}, format="json", **auth_headers)  # fmt: skip
    assert_no_store(response, "client_secret")


def test_a_replayed_answer_keeps_it(api_client, auth_headers):
    """An ``Idempotency-Key`` retry replays the first answer, secret and header alike."""
    headers = {**auth_headers, "HTTP_IDEMPOTENCY_KEY": "create-ci-key"}
    body = {"name": "ci", "scopes": ["repos:read"]}
    first = api_client.post("/api/v1/keys", body, format="json", **headers)
    replay = api_client.post("/api/v1/keys", body, format="json", **headers)
    assert replay["Idempotent-Replayed"] == "true" and replay.json()["key"] == first.json()["key"]
    assert_no_store(replay, "key")


def test_a_list_without_secrets_is_not_marked(api_client, auth_headers):
    assert "no-store" not in api_client.get("/api/v1/keys", **auth_headers).get("Cache-Control", "")
