"""CORS for browser clients of /api/: any origin, no cookies, and preflights that cost nothing."""

import pytest

pytestmark = pytest.mark.django_db

PREFLIGHT = {
    "HTTP_ORIGIN": "https://app.example.org",
    "HTTP_ACCESS_CONTROL_REQUEST_METHOD": "POST",
    "HTTP_ACCESS_CONTROL_REQUEST_HEADERS": "authorization, content-type, idempotency-key",
}


def test_a_preflight_is_answered_without_a_credential(client):
    response = client.options("/api/v1/keys", **PREFLIGHT)
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == "*"
    allowed = {name.strip() for name in response["Access-Control-Allow-Headers"].split(",")}
    assert {"authorization", "content-type", "idempotency-key", "if-none-match", "if-match"} <= allowed
    assert "POST" in response["Access-Control-Allow-Methods"]
    assert "Access-Control-Allow-Credentials" not in response  # tokens, never cookies
    assert int(response["Access-Control-Max-Age"]) > 0
    assert response["X-Request-ID"]


def test_a_preflight_carries_the_rate_limit_headers_and_is_not_charged(client, rate_limits):
    """§5.3 on every /api/ response, a preflight's too (issue 26.7); it only looks at the bucket."""
    rate_limits(anonymous_read="100/3600+0")
    before = int(client.get("/api/v1/version")["X-RateLimit-Remaining"])
    for path in ("/api/v1/version", "/api/v1/keys", "/api/v1/oauth/token", "/api/v1/no-such-route"):
        preflight = client.options(path, **PREFLIGHT)
        assert preflight.status_code == 200 and preflight.content == b"" and preflight["Content-Length"] == "0"
        assert preflight["X-RateLimit-Scope"] == "anonymous-read" and preflight["RateLimit-Policy"]
        assert int(preflight["X-RateLimit-Remaining"]) == before
    after = int(client.get("/api/v1/version")["X-RateLimit-Remaining"])
    assert after == before - 1  # only the second GET counted


def test_a_preflight_gets_through_an_exhausted_limit(client, rate_limits):
    rate_limits(anonymous_read="1/3600+0")
    client.get("/api/v1/version")
    assert client.get("/api/v1/version").status_code == 429
    preflight = client.options("/api/v1/version", **PREFLIGHT)
    assert preflight.status_code == 200 and preflight["X-RateLimit-Remaining"] == "0"


def test_a_plain_options_request_is_still_the_views(client):
    response = client.options("/api/v1/version")
    assert response.status_code == 200 and response.json()["name"] == "Version"


def test_responses_expose_the_rate_limit_link_and_request_id_headers(client):
    response = client.get("/api/v1/version", HTTP_ORIGIN="https://app.example.org")
    assert response["Access-Control-Allow-Origin"] == "*"
    exposed = {name.strip().lower() for name in response["Access-Control-Expose-Headers"].split(",")}
    assert {
        "x-ratelimit-limit", "x-ratelimit-remaining", "x-ratelimit-reset", "ratelimit", "ratelimit-policy",
        "retry-after", "link", "etag", "x-request-id", "idempotent-replayed",
    } <= exposed  # fmt: skip


def test_an_error_is_readable_by_the_browser_too(client):
    response = client.get("/api/v1/keys", HTTP_ORIGIN="https://app.example.org")
    assert response.status_code == 401 and response["Access-Control-Allow-Origin"] == "*"
    missing = client.get("/api/v1/nope", HTTP_ORIGIN="https://app.example.org")
    assert missing.status_code == 404 and missing["Access-Control-Allow-Origin"] == "*"


def test_only_the_api_answers_cross_origin_requests(client):
    response = client.get("/admin/login/", HTTP_ORIGIN="https://app.example.org")
    assert "Access-Control-Allow-Origin" not in response


def test_configured_origins_are_the_only_ones_allowed(client, settings):
    settings.CORS_ALLOW_ALL_ORIGINS = False
    settings.CORS_ALLOWED_ORIGINS = ["https://app.example.org"]
    allowed = client.get("/api/v1/version", HTTP_ORIGIN="https://app.example.org")
    assert allowed["Access-Control-Allow-Origin"] == "https://app.example.org"
    other = client.get("/api/v1/version", HTTP_ORIGIN="https://evil.example.com")
    assert "Access-Control-Allow-Origin" not in other


def test_a_request_without_origin_gets_vary_and_no_cors_headers(client):
    response = client.get("/api/v1/version")
    assert response.status_code == 200
    assert "origin" in [part.strip().lower() for part in response["Vary"].split(",")]
    assert "Access-Control-Allow-Origin" not in response
    with_origin = client.get("/api/v1/version", HTTP_ORIGIN="https://app.example.org")
    assert with_origin["Access-Control-Allow-Origin"] == "*"


@pytest.mark.parametrize("path", ["/api/v1/version", "/api/v1/nope", "/admin/login/"])
@pytest.mark.parametrize("origin", [None, "https://app.example.org"])
def test_the_answer_is_the_librarys_own_with_or_without_origin(client, settings, path, origin):
    """core.cors skips django-cors-headers only where the library adds nothing but Vary: the
    headers are the same as through the library itself."""
    extra = {} if origin is None else {"HTTP_ORIGIN": origin}
    ours = client.get(path, **extra)
    settings.MIDDLEWARE = [
        "corsheaders.middleware.CorsMiddleware" if name == "core.cors.CorsMiddleware" else name
        for name in settings.MIDDLEWARE
    ]
    theirs = client.get(path, **extra)
    cors = [name for name in ("Vary", "Access-Control-Allow-Origin", "Access-Control-Expose-Headers") if name in theirs]
    assert [(name, ours.get(name)) for name in cors] == [(name, theirs.get(name)) for name in cors]
    assert {name for name in ours.headers if name.lower().startswith("access-control")} == {
        name for name in theirs.headers if name.lower().startswith("access-control")
    }
