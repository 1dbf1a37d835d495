"""Version, health, 503s when a backing service is down, docs, start-up refusal, body limits."""

import re
import subprocess
import sys

import pytest
from django.db import connection

from tests.conftest import ROOT, service_env

pytestmark = pytest.mark.django_db


def test_health_reports_each_service_up(api_client):
    response = api_client.get("/api/v1/health")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert {body[name]["state"] for name in ("database", "redis", "broker")} == {"up"}


def test_health_is_503_with_retry_after_when_redis_is_down(api_client, stopped_redis):
    response = api_client.get("/api/v1/health")
    assert response.status_code == 503
    assert response["Retry-After"].isdigit()
    body = response.json()
    assert body["redis"]["state"] == "down" and body["database"]["state"] == "up"
    assert {"reason": "redis is down"} in body["errors"]


def test_health_is_503_when_the_database_is_down(api_client, monkeypatch):
    from django.db.utils import OperationalError

    def refuse(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr(connection, "cursor", refuse)  # the network edge: the connection itself
    response = api_client.get("/api/v1/health")
    assert response.status_code == 503
    assert response.json()["database"]["state"] == "down"


def test_an_ordinary_request_is_a_503_not_a_500_when_redis_is_down(api_client, api_key, stopped_redis):
    issued = api_key
    api_client.raise_request_exception = False
    response = api_client.delete(f"/api/v1/keys/{issued.api_key.pk}", HTTP_AUTHORIZATION=f"token {issued.secret}")
    # Deleting must mark the key's JWTs revoked in Redis; with Redis down it is refused whole.
    assert response.status_code == 503
    assert response["Retry-After"].isdigit()
    assert set(response.json()) == {"errors"}
    from auth.models import ApiKey

    assert ApiKey.objects.filter(pk=issued.api_key.pk).exists()  # nothing half-done


def test_requests_needing_the_database_are_503_when_it_is_unreachable(live_server_factory, tmp_path):
    import requests

    # A server whose database socket directory has no PostgreSQL in it.
    server = live_server_factory(workers=1, DATABASE_URL=f"postgresql://postgres:@/apiservice?host={tmp_path}")
    response = requests.get(
        f"{server.url}/api/v1/keys", headers={"Authorization": "token apisvc_aaaaaaaaaa_" + "b" * 40}, timeout=10
    )
    assert response.status_code == 503
    assert response.headers["Retry-After"].isdigit()
    assert set(response.json()) == {"errors"}
    health = requests.get(f"{server.url}/api/v1/health", timeout=10)
    assert health.status_code == 503
    assert health.json()["database"]["state"] == "down"


def test_schema_is_served_as_yaml_and_json(api_client):
    assert api_client.get("/api/v1/schema").status_code == 200
    response = api_client.get("/api/v1/schema?format=json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    assert "/api/v1/version" in schema["paths"]


@pytest.mark.parametrize("page", ["/api/v1/docs", "/api/v1/redoc"])
def test_docs_pages_and_every_asset_they_reference_are_served_locally(client, page):
    response = client.get(page)
    assert response.status_code == 200
    html = response.content.decode()
    assets = set(re.findall(r'(?:src|href)="([^"]+)"', html))
    local = {asset for asset in assets if not asset.startswith(("http://", "https://", "//"))}
    assert not {asset for asset in assets if asset.startswith(("http://", "https://", "//"))}, "no CDN assets"
    assert local, "the page references its assets"
    from django.contrib.staticfiles.finders import find

    for asset in local:
        if asset.startswith("/static/"):
            assert find(asset.removeprefix("/static/")), asset
        else:
            assert client.get(asset).status_code == 200, asset


def test_request_body_over_the_cap_is_a_413(api_client, settings, api_key):
    issued = api_key
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024
    body = '{"name": "' + "x" * 2000 + '", "scopes": ["*"]}'
    response = api_client.generic(
        "POST", "/api/v1/keys", body, content_type="application/json", HTTP_AUTHORIZATION=f"token {issued.secret}"
    )
    assert response.status_code == 413
    assert set(response.json()) == {"errors"}


def test_form_body_is_a_415_and_malformed_json_a_400(api_client, api_key):
    issued = api_key
    headers = {"HTTP_AUTHORIZATION": f"token {issued.secret}"}
    response = api_client.generic(
        "POST", "/api/v1/keys", "name=x", content_type="application/x-www-form-urlencoded", **headers
    )
    assert response.status_code == 415
    assert set(response.json()) == {"errors"}
    response = api_client.generic("POST", "/api/v1/keys", '{"name": ', content_type="application/json", **headers)
    assert response.status_code == 400
    assert response.json()["errors"][0]["reason"].startswith("malformed JSON: ")


def test_production_refuses_to_start_on_a_default_secret_key():
    env = service_env(DJANGO_DEBUG="0")
    env.pop("DJANGO_SECRET_KEY")
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY is not set" in result.stderr
