"""The docs pages (§1.14): Authorize with a pasted scheme, padlocks, the schema built once and
compressed, Redoc kept on this origin, and static files with hashed names and a year's cache."""

import gzip
import re
import subprocess
import sys

import pytest
import requests
import yaml
from drf_spectacular.generators import SchemaGenerator

from auth.services import InvalidCredential
from auth.steps import parse_authorization
from config.views import SchemaView
from tests.conftest import ROOT, service_env

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("header", "credential"),
    [("Bearer abc", "abc"), ("token abc", "abc"), ("Bearer Bearer abc", "abc"), ("bearer  BEARER   abc ", "abc"),
     ("Bearer token", "token"), ("HangarAuth abc", "abc"), ("hangarauth abc", "abc")],
)  # fmt: skip
def test_a_scheme_pasted_into_swagger_authorize_is_accepted(header, credential):
    """Swagger UI sends ``Bearer <what was pasted>``; pasting ``Bearer x`` there still works."""
    assert parse_authorization(header) == credential


@pytest.mark.parametrize(
    "header",
    ["Bearer", "Bearer Bearer", "Bearer Bearer a b", "token Bearer abc", "Basic abc", "HangarAuth", "Hangar abc"],
)
def test_other_doubled_or_malformed_headers_are_refused(header):
    with pytest.raises(InvalidCredential):
        parse_authorization(header)


def test_a_doubled_bearer_prefix_authenticates(api_client, api_key):
    response = api_client.get("/api/v1/keys", HTTP_AUTHORIZATION=f"Bearer Bearer {api_key.secret}")
    assert response.status_code == 200


@pytest.fixture
def schema(api_client):
    return api_client.get("/api/v1/schema?format=json").json()


OPTIONAL: list[dict[str, list[str]]] = [{}, {"bearer": []}]
REQUIRED: list[dict[str, list[str]]] = [{"bearer": []}]


@pytest.mark.parametrize(
    ("method", "path", "security"),
    [("get", "/api/v1/version", OPTIONAL), ("get", "/api/v1/health", OPTIONAL), ("get", "/api/v1/rate-limit", OPTIONAL),
     ("get", "/api/v1/user/~{username}", OPTIONAL), ("get", "/api/v1/ssh-key/{blob}", OPTIONAL),
     ("get", "/api/v1/pgp-key/{fingerprint}", OPTIONAL), ("get", "/api/v1/~{username}/repos", OPTIONAL),
     ("get", "/api/v1/~{username}/repos/{name}", OPTIONAL), ("get", "/api/v1/webhooks/events", OPTIONAL),
     ("get", "/api/v1/webhooks/keys", OPTIONAL), ("post", "/api/v1/authenticate", []),
     ("get", "/api/v1/keys", REQUIRED), ("post", "/api/v1/repos", REQUIRED), ("get", "/api/v1/user", REQUIRED),
     ("get", "/api/v1/user/audit-log", REQUIRED)],
)  # fmt: skip
def test_padlocks_are_open_where_a_credential_is_optional(schema, method, path, security):
    operation = schema["paths"][path][method]
    assert [req for req in operation["security"] if "bearer" in req or not req] == security


def test_every_operation_says_what_it_does_with_a_credential(schema):
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            assert "security" in operation, (method, path)


def test_the_schema_is_generated_once_per_process_and_format(api_client, monkeypatch):
    SchemaView.rendered.clear()
    calls = []
    original = SchemaGenerator.get_schema

    def counted(self, *args, **kwargs):
        calls.append(1)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(SchemaGenerator, "get_schema", counted)
    bodies = [api_client.get("/api/v1/schema").content for _ in range(3)]
    assert len(calls) == 1 and bodies[0] == bodies[1] == bodies[2]
    assert yaml.safe_load(bodies[0])["openapi"].startswith("3.")
    assert api_client.get("/api/v1/schema?format=json").json()["openapi"].startswith("3.")
    api_client.get("/api/v1/schema?format=json")
    assert len(calls) == 2  # one more for JSON, then none


@pytest.mark.parametrize("query", ["", "?format=json"])
def test_the_schema_is_served_gzip_compressed(api_client, query):
    plain = api_client.get(f"/api/v1/schema{query}")
    compressed = api_client.get(f"/api/v1/schema{query}", HTTP_ACCEPT_ENCODING="gzip, br")
    assert compressed["Content-Encoding"] == "gzip" and "Accept-Encoding" in compressed["Vary"]
    assert gzip.decompress(compressed.content) == plain.content
    assert len(compressed.content) * 10 < len(plain.content)  # measured: 330 KB -> 12 KB, 720 KB -> 22 KB
    assert compressed["Content-Type"] == plain["Content-Type"]


def csp(response) -> dict[str, list[str]]:
    return {
        name: sources for name, *sources in (part.split() for part in response["Content-Security-Policy"].split(";"))
    }


def test_redoc_keeps_images_fonts_and_fetches_on_this_origin(client):
    """The page's policy refuses Redoc's footer logo (cdn.redoc.ly) before any request."""
    response = client.get("/api/v1/redoc", HTTP_ACCEPT="text/html")
    policy = csp(response)
    assert policy["img-src"] == ["'self'", "data:"] and policy["connect-src"] == ["'self'"]
    assert policy["default-src"] == ["'self'"] and "font-src" not in policy  # fonts: 'self' only
    assert "fonts.googleapis.com" not in response.content.decode()


def test_redoc_runs_no_inline_script_but_may_style_inline_and_search_in_a_worker(client):
    """Redoc's styled-components write <style> elements, one before any nonce could reach
    it; its search runs in a worker made from a ``blob:`` URL (checked in Chromium:
    tests/browser/test_pages.py)."""
    response = client.get("/api/v1/redoc", HTTP_ACCEPT="text/html")
    policy = csp(response)
    assert policy["script-src"] == ["'self'"] and policy["worker-src"] == ["blob:"]
    assert policy["style-src"] == ["'self'", "'unsafe-inline'"]
    assert "<script>" not in response.content.decode() and "<style>" not in response.content.decode()


@pytest.mark.parametrize("page", ["/api/v1/docs", "/api/v1/redoc"])
def test_docs_pages_have_the_service_favicon(client, page):
    html = client.get(page).content.decode()
    icons = re.findall(r'<link rel="icon"[^>]*href="([^"]+)"', html)
    assert icons and all("/static/apiservice/favicon" in icon for icon in icons)
    for icon in icons:
        assert client.get(icon).status_code == 200


def test_swagger_ui_fetches_no_validator_badge_and_draws_open_padlocks(client):
    html = client.get("/api/v1/docs").content.decode()
    assert '"validatorUrl": null' in html
    assert re.search(r'<script src="/static/apiservice/swagger-padlocks\.js"></script>\s*<script nonce=', html)
    assert client.get("/static/apiservice/swagger-padlocks.js").status_code == 200


def test_swagger_uis_one_inline_script_runs_by_the_requests_nonce(client):
    """drf-spectacular's settings and start-up stay inline (they carry the request's CSRF
    token), allowed by a nonce that is new on every request; styles are files."""
    pages = [client.get("/api/v1/docs", HTTP_ACCEPT="text/html") for _ in range(2)]
    nonces = []
    for page in pages:
        html = page.content.decode()
        (nonce,) = re.findall(r'<script nonce="([^"]+)">', html)
        assert csp(page)["script-src"] == ["'self'", f"'nonce-{nonce}'"] and csp(page)["style-src"] == ["'self'"]
        assert len(re.findall(r"<script>|<style", html)) == 0
        nonces.append(nonce)
    assert nonces[0] != nonces[1]


@pytest.mark.slow
def test_static_files_have_hashed_names_compression_and_a_years_cache_in_production(live_server_factory, tmp_path):
    """What the Docker image does: collectstatic into STATIC_ROOT, then gunicorn serves the manifest's names."""
    production = {"APISERVICE_TESTING": "0", "DJANGO_STATIC_ROOT": str(tmp_path / "static")}
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--no-input", "-v", "0"],
        cwd=ROOT, env=service_env(**production), check=True, timeout=300,
    )  # fmt: skip
    assert (tmp_path / "static" / "staticfiles.json").is_file()
    server = live_server_factory(workers=1, **production)
    html = requests.get(f"{server.url}/api/v1/docs", timeout=10).text
    bundle = re.search(
        r'src="(/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle\.[0-9a-f]{12}\.js)"', html
    )
    assert bundle, html[:2000]
    response = requests.get(server.url + bundle.group(1), headers={"Accept-Encoding": "gzip"}, timeout=10)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "max-age=315360000, public, immutable"
    assert response.headers["Content-Encoding"] == "gzip"
    icon = requests.get(f"{server.url}/favicon.ico", allow_redirects=False, timeout=10).headers["Location"]
    assert re.fullmatch(r"/static/apiservice/favicon\.[0-9a-f]{12}\.ico", icon)
    redoc = requests.get(f"{server.url}/api/v1/redoc", timeout=10).text
    assert re.search(r'src="/static/drf_spectacular_sidecar/redoc/bundles/redoc\.standalone\.[0-9a-f]{12}\.js"', redoc)
