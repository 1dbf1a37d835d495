"""The ``Content-Security-Policy`` (apiservice/csp.py): on every HTML page, strict for
scripts; never on the API's JSON, where no policy is even built. The pages themselves, in
Chromium under this policy, are in tests/browser/."""

from __future__ import annotations

import pytest
from csp import middleware as csp_middleware

from tests.apiservice.test_settings import PRODUCTION, import_settings

pytestmark = pytest.mark.django_db

HTML = {"HTTP_ACCEPT": "text/html"}


def csp(response) -> dict[str, list[str]]:
    return {
        name: sources for name, *sources in (part.split() for part in response["Content-Security-Policy"].split(";"))
    }


@pytest.mark.parametrize(
    ("path", "headers"),
    [("/login", {}), ("/logout", {}), ("/authorize", {}), ("/admin/login/", {}), ("/api/v1/docs", {}),
     ("/api/v1/redoc", {}), ("/api/v1/oauth2-redirect.html", {}), ("/api/v1/", HTML), ("/api/v1/version", HTML)],
)  # fmt: skip
def test_every_html_page_has_a_policy_with_no_inline_script(client, path, headers):
    response = client.get(path, **headers)
    assert response["Content-Type"].startswith("text/html"), response["Content-Type"]
    policy = csp(response)
    assert policy["script-src"][0] == "'self'" and "'unsafe-inline'" not in policy["script-src"]
    assert policy["default-src"] == ["'self'"] and policy["object-src"] == ["'none'"]
    assert policy["base-uri"] == ["'none'"] and policy["frame-ancestors"] == ["'none'"]


def test_the_site_policy(client):
    """A page that uses no nonce gets the policy of the settings, directive for directive."""
    assert csp(client.get("/login")) == {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }


@pytest.mark.parametrize(
    ("path", "headers"),
    [("/api/v1/version", {}), ("/api/v1/", {}), ("/api/v1/version?format=yaml", {}), ("/api/v1/no-such-route", {}),
     ("/api/v1/schema", {}), ("/static/apiservice/swagger-padlocks.js", {}), ("/api/v1/no-such-route", HTML)],
)  # fmt: skip
def test_json_yaml_and_files_go_out_without_one(client, path, headers):
    assert "Content-Security-Policy" not in client.get(path, **headers)


@pytest.fixture
def policies_built(monkeypatch):
    built: list[str] = []
    build = csp_middleware.build_policy

    def counting(*args, **kwargs):
        built.append(build(*args, **kwargs))
        return built[-1]

    monkeypatch.setattr(csp_middleware, "build_policy", counting)
    return built


def test_no_policy_is_built_for_json(client, policies_built):
    """The JSON path costs the middleware a Content-Type look-up and nothing more."""
    client.get("/api/v1/version")
    assert policies_built == []
    client.get("/api/v1/version", **HTML)
    assert len(policies_built) == 2  # the enforced policy and the (empty) report-only one


def test_the_browsable_api_may_style_inline_but_scripts_stay_strict(client):
    """DRF's templates set inline style attributes; their scripts are files."""
    policy = csp(client.get("/api/v1/", **HTML))
    assert policy["style-src"] == ["'self'", "'unsafe-inline'"] and policy["script-src"] == ["'self'"]


@pytest.mark.parametrize(("value", "directive"), [("", "None"), ("https://csp.example/r", "['https://csp.example/r']")])
def test_a_report_uri_comes_from_the_environment(value, directive):
    code = "import config.settings as s; print(s.CONTENT_SECURITY_POLICY['DIRECTIVES'].get('report-uri'))"
    result = import_settings(code, **PRODUCTION, CSP_REPORT_URI=value)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == directive
