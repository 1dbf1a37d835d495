"""OAuth 2.0 (issue 13) in process: consent, PKCE, redirect URIs, scopes, revocation, cost.

The whole flow as a browser and a real client library drive it over HTTP, on gunicorn,
is in ``test_oauth_live.py``; here the Django test client plays the browser and authlib's
PKCE helper makes the challenges.
"""

from __future__ import annotations

import base64
import hashlib
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from authlib.common.security import generate_token
from authlib.oauth2.rfc7636 import create_s256_code_challenge
from django.test import Client

from auth.oauth import tokens as oauth_tokens
from auth.oauth.services import OOB_URI, oauth_app_create
from auth.oauth.views import redirect_origin

pytestmark = pytest.mark.django_db

REDIRECT = "http://127.0.0.1:9/callback"


@pytest.fixture(autouse=True)
def _fresh_claims_cache():
    oauth_tokens.CACHE.clear()
    yield
    oauth_tokens.CACHE.clear()


@pytest.fixture
def app(user):
    return oauth_app_create(
        user=user,
        name="Example CI",
        redirect_uris=[REDIRECT, OOB_URI],
        scopes=["keys:read", "repos:read", "repos:write"],
        client_type="public",
    ).application


@pytest.fixture
def browser(user):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(user)
    return browser


def authorize_params(app, verifier, **extra):
    params = {
        "response_type": "code",
        "client_id": app.client_id,
        "redirect_uri": REDIRECT,
        "scope": "keys:read repos:read",
        "state": "xyz",
        "code_challenge": create_s256_code_challenge(verifier),
        "code_challenge_method": "S256",
    }
    params.update(extra)
    return {k: v for k, v in params.items() if v is not None}


def consent(browser, app, verifier, allow=True, **extra):
    """GET the consent page, then POST its form as a browser would (CSRF token included)."""
    page = browser.get("/authorize", authorize_params(app, verifier, **extra))
    assert page.status_code == 200, page.content
    form = page.context["form"]
    data = {name: form[name].value() or "" for name in form.fields if form[name].is_hidden}
    data["csrfmiddlewaretoken"] = page.context["csrf_token"]
    if allow:
        data["allow"] = "on"
    return browser.post("/authorize", data)


def code_from(response):
    assert response.status_code == 302, response.content
    query = parse_qs(urlsplit(response["Location"]).query)
    assert query["state"] == ["xyz"]
    return query["code"][0]


def exchange(api_client, app, code, verifier, redirect_uri=REDIRECT):
    return api_client.post(
        "/api/v1/oauth/token",
        {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": redirect_uri,
            "client_id": app.client_id,
            "code_verifier": verifier,
        },
        format="multipart",
    )


@pytest.fixture
def issued(api_client, browser, app):
    verifier = generate_token(48)
    response = exchange(api_client, app, code_from(consent(browser, app, verifier)), verifier)
    assert response.status_code == 200, response.content
    return response.json()


def bearer(token):
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


# ---------------------------------------------------------------- the flow


def test_login_page_first_then_consent_naming_the_app_and_each_scope(app, user):
    anonymous = Client()
    verifier = generate_token(48)
    first = anonymous.get("/authorize", authorize_params(app, verifier))
    assert first.status_code == 302 and first["Location"].startswith("/login?next=")
    login = anonymous.get(first["Location"])
    assert login.status_code == 200
    assert b'<label for="id_password">Password</label>' in login.content
    signed_in = Client()
    signed_in.force_login(user)
    page = signed_in.get("/authorize", authorize_params(app, verifier))
    assert b"Authorize Example CI?" in page.content
    assert b"Read your SSH and PGP keys" in page.content and b"Read your repositories" in page.content
    assert b"repos:write" not in page.content  # registered but not requested


def test_the_token_response_is_never_stored(api_client, browser, app):
    """RFC 6749 §5.1: django-oauth-toolkit (oauthlib) answers the token endpoint with
    ``Cache-Control: no-store`` and ``Pragma: no-cache``."""
    verifier = generate_token(48)
    response = exchange(api_client, app, code_from(consent(browser, app, verifier)), verifier)
    assert response.status_code == 200 and response.json()["refresh_token"]
    assert response["Cache-Control"] == "no-store" and response["Pragma"] == "no-cache"


def test_code_exchange_gives_a_token_carrying_exactly_the_granted_scopes(api_client, issued):
    assert issued["token_type"] == "Bearer"
    assert issued["scope"] == "keys:read repos:read"
    assert issued["access_token"].startswith("apisvc_oat_")
    assert issued["refresh_token"].startswith("apisvc_ort_")
    assert api_client.get("/api/v1/user/ssh-keys", **bearer(issued["access_token"])).status_code == 200
    forbidden = api_client.get("/api/v1/keys", **bearer(issued["access_token"]))
    assert forbidden.status_code == 403 and "apikeys:read" in forbidden.json()["errors"][0]["reason"]
    sourcehut = api_client.get("/api/v1/user/ssh-keys", HTTP_AUTHORIZATION=f"token {issued['access_token']}")
    assert sourcehut.status_code == 200


def test_denying_redirects_with_access_denied(browser, app):
    response = consent(browser, app, generate_token(48), allow=False)
    assert response.status_code == 302
    query = parse_qs(urlsplit(response["Location"]).query)
    assert response["Location"].startswith(REDIRECT)
    assert query["error"] == ["access_denied"] and query["state"] == ["xyz"]


def test_out_of_band_shows_the_code_on_a_page(api_client, browser, app):
    verifier = generate_token(48)
    page = consent(browser, app, verifier, redirect_uri=OOB_URI)
    assert page.status_code == 200 and page["Cache-Control"] == "no-store"
    code = page.context["code"]
    assert code and code.encode() in page.content
    assert exchange(api_client, app, code, verifier, redirect_uri=OOB_URI).status_code == 200


def test_the_consent_post_needs_the_csrf_token(browser, app):
    verifier = generate_token(48)
    browser.get("/authorize", authorize_params(app, verifier))
    response = browser.post("/authorize", {**authorize_params(app, verifier), "allow": "on"})
    assert response.status_code == 403


# ------------------------------------------------------------------- PKCE


def test_pkce_is_required(browser, app):
    response = browser.get("/authorize", authorize_params(app, "v", code_challenge=None, code_challenge_method=None))
    assert response.status_code == 302
    assert parse_qs(urlsplit(response["Location"]).query)["error"] == ["invalid_request"]


@pytest.mark.parametrize("method", ["plain", None, "s256"])
def test_a_pkce_method_but_s256_is_refused_before_the_consent_page(browser, app, method):
    """``plain``, or no method (RFC 7636 reads it as ``plain``): a redirect to the client, no page."""
    response = browser.get(
        "/authorize", authorize_params(app, "v", code_challenge="a" * 43, code_challenge_method=method)
    )
    assert response.status_code == 302
    query = parse_qs(urlsplit(response["Location"]).query)
    assert query["error"] == ["invalid_request"] and query["state"] == ["xyz"]
    assert query["iss"] == ["http://testserver"]


def issuer_of(response):
    return parse_qs(urlsplit(response["Location"]).query).get("iss")


def test_every_authorization_response_names_its_issuer(api_client, browser, app):
    """RFC 9207: the success, a denial and every error redirect carry ``iss``, once, equal to the
    metadata's ``issuer``."""
    issuer = api_client.get("/.well-known/oauth-authorization-server").json()["issuer"]
    verifier = generate_token(48)
    approved = consent(browser, app, verifier)
    denied = consent(browser, app, verifier, allow=False)
    no_challenge = browser.get(
        "/authorize", authorize_params(app, "v", code_challenge=None, code_challenge_method=None)
    )
    bad_scope = browser.get("/authorize", authorize_params(app, "v", scope="audit:read"))
    for response in (approved, denied, no_challenge, bad_scope):
        assert response.status_code == 302
        assert issuer_of(response) == [issuer], response["Location"]
    errors = [parse_qs(urlsplit(r["Location"]).query)["error"] for r in (denied, no_challenge, bad_scope)]
    assert errors == [["access_denied"], ["invalid_request"], ["invalid_scope"]]


def test_a_wrong_code_verifier_is_refused(api_client, browser, app):
    verifier = generate_token(48)
    code = code_from(consent(browser, app, verifier))
    response = exchange(api_client, app, code, generate_token(48))
    assert response.status_code == 400 and response.json()["error"] == "invalid_grant"
    without = api_client.post(
        "/api/v1/oauth/token",
        {"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT, "client_id": app.client_id},
        format="multipart",
    )
    assert without.status_code == 400


# ---------------------------------------------------------- redirect URIs


def test_an_unregistered_redirect_uri_is_refused_without_redirecting(browser, app):
    response = browser.get(
        "/authorize", authorize_params(app, generate_token(48), redirect_uri="https://evil.example/cb")
    )
    assert response.status_code == 400
    assert b"invalid_request" in response.content or b"Mismatching redirect URI" in response.content
    assert "Location" not in response


def test_the_redirect_uri_must_match_at_the_token_endpoint(api_client, browser, app):
    verifier = generate_token(48)
    code = code_from(consent(browser, app, verifier))
    response = exchange(api_client, app, code, verifier, redirect_uri=OOB_URI)
    assert response.status_code == 400


REGISTERED = ["http://127.0.0.1:9/callback", "http://[::1]/callback", "https://ci.example/cb"]


@pytest.mark.parametrize(
    "redirect_uri, accepted",
    [
        ("http://127.0.0.1:9/callback", True),  # as registered
        ("http://127.0.0.1:51234/callback", True),  # RFC 8252 §7.3: any port on a loopback IP
        ("http://127.0.0.1/callback", True),  # or none
        ("http://[::1]:8080/callback", True),
        ("http://127.0.0.1:51234/callback/", False),  # the path stays exact
        ("http://127.0.0.1:51234/callback?x=1", False),  # and the query
        ("https://127.0.0.1:9/callback", False),  # the port exemption is for http only
        ("http://localhost:9/callback", False),  # localhost is not a loopback IP
        ("http://127.0.0.2:9/callback", False),  # nor is the rest of 127.0.0.0/8
        ("https://ci.example:8443/cb", False),  # elsewhere the port is exact
        ("https://ci.example:443/cb", False),  # even the default one, spelled out
        ("HTTPS://CI.Example/cb", True),  # scheme and host compare case-insensitively
        ("https://ci.example/CB", False),  # the path does not
    ],
)
def test_redirect_uris_match_exactly_but_for_the_port_of_a_loopback_ip(browser, user, redirect_uri, accepted):
    app = oauth_app_create(
        user=user, name="Native", redirect_uris=REGISTERED, scopes=["repos:read"], client_type="public"
    ).application
    page = browser.get("/authorize", authorize_params(app, "v" * 43, redirect_uri=redirect_uri, scope="repos:read"))
    assert page.status_code == (200 if accepted else 400)


def test_the_token_endpoint_wants_the_loopback_port_the_code_was_sent_to(api_client, browser, app):
    verifier = generate_token(48)
    ephemeral = "http://127.0.0.1:51234/callback"
    code = code_from(consent(browser, app, verifier, redirect_uri=ephemeral))
    assert exchange(api_client, app, code, verifier, redirect_uri=REDIRECT).status_code == 400
    code = code_from(consent(browser, app, verifier, redirect_uri=ephemeral))
    assert exchange(api_client, app, code, verifier, redirect_uri=ephemeral).status_code == 200


# ----------------------------------------------------------------- scopes


def test_a_scope_the_application_was_not_registered_with_is_refused(browser, app):
    response = browser.get("/authorize", authorize_params(app, generate_token(48), scope="repos:read apikeys:write"))
    assert response.status_code == 302
    assert parse_qs(urlsplit(response["Location"]).query)["error"] == ["invalid_scope"]


def test_refresh_can_narrow_the_scopes_and_rotates_the_refresh_token(api_client, app, issued):
    refreshed = api_client.post(
        "/api/v1/oauth/token",
        {
            "grant_type": "refresh_token",
            "refresh_token": issued["refresh_token"],
            "client_id": app.client_id,
            "scope": "repos:read",
        },
        format="multipart",
    )
    assert refreshed.status_code == 200, refreshed.content
    body = refreshed.json()
    assert body["scope"] == "repos:read"
    assert body["refresh_token"] != issued["refresh_token"]
    assert api_client.get("/api/v1/user/ssh-keys", **bearer(body["access_token"])).status_code == 403
    # the old access token died with the rotation; the old refresh token is spent
    assert api_client.get("/api/v1/repos", **bearer(issued["access_token"])).status_code == 401
    again = api_client.post(
        "/api/v1/oauth/token",
        {"grant_type": "refresh_token", "refresh_token": issued["refresh_token"], "client_id": app.client_id},
        format="multipart",
    )
    assert again.status_code == 400


# ------------------------------------------------------------- revocation


def revoke(api_client, app, token):
    return api_client.post("/api/v1/oauth/revoke", {"token": token, "client_id": app.client_id}, format="multipart")


def test_revoking_the_access_token_refuses_it_even_where_its_claims_are_cached(api_client, app, issued):
    token = issued["access_token"]
    assert api_client.get("/api/v1/repos", **bearer(token)).status_code == 200  # now cached in this process
    assert revoke(api_client, app, token).status_code == 200
    response = api_client.get("/api/v1/repos", **bearer(token))
    assert response.status_code == 401


def test_revoking_the_refresh_token_revokes_the_grant(api_client, app, issued):
    assert api_client.get("/api/v1/repos", **bearer(issued["access_token"])).status_code == 200
    assert revoke(api_client, app, issued["refresh_token"]).status_code == 200
    assert api_client.get("/api/v1/repos", **bearer(issued["access_token"])).status_code == 401


def test_deleting_the_application_revokes_its_tokens(api_client, app, issued, auth_headers):
    assert api_client.get("/api/v1/repos", **bearer(issued["access_token"])).status_code == 200
    assert api_client.delete(f"/api/v1/oauth/apps/{app.client_id}", **auth_headers).status_code == 204
    assert api_client.get("/api/v1/repos", **bearer(issued["access_token"])).status_code == 401


def test_deactivating_the_user_revokes_their_tokens(api_client, user, issued):
    assert api_client.get("/api/v1/repos", **bearer(issued["access_token"])).status_code == 200
    user.is_active = False
    user.save()
    assert api_client.get("/api/v1/repos", **bearer(issued["access_token"])).status_code == 401


def test_an_inactive_users_refresh_token_mints_nothing(api_client, app, user, issued):
    user.is_active = False
    user.save()
    response = api_client.post(
        "/api/v1/oauth/token",
        {"grant_type": "refresh_token", "refresh_token": issued["refresh_token"], "client_id": app.client_id},
        format="multipart",
    )
    assert response.status_code == 400


# ------------------------------------------------------- storage and cost


def test_tokens_are_stored_as_checksums_only(issued):
    from oauth2_provider.models import AccessToken, RefreshToken

    access = AccessToken.objects.get()
    assert access.token == "" and access.token_checksum == hashlib.sha256(issued["access_token"].encode()).hexdigest()
    refresh = RefreshToken.objects.get()
    assert refresh.token == "" and issued["refresh_token"] not in str(refresh.__dict__)


@pytest.fixture
def redis_commands(monkeypatch):
    import redis

    counted: list[str] = []
    original = redis.Redis.execute_command

    def counting(self, *args, **options):
        counted.append(str(args[0]))
        return original(self, *args, **options)

    monkeypatch.setattr(redis.Redis, "execute_command", counting)
    return counted


@pytest.mark.fast_path
def test_an_oauth_request_costs_no_sql_and_one_redis_round_trip_once_seen(
    api_client, issued, django_assert_num_queries, redis_commands
):
    """The hot path: as cheap as a JWT (0 SQL, 1 Redis). The first request on a process costs
    one indexed query by checksum (user and application joined) plus the minute's audit entry
    (one INSERT, its commit relaxed in the same statement) and its SET NX."""
    token = issued["access_token"]
    with django_assert_num_queries(2) as captured:
        assert api_client.get("/api/v1/version", **bearer(token)).status_code == 200
    lookup = captured.captured_queries[0]["sql"]
    assert '"token_checksum" = ' in lookup and "JOIN" in lookup
    assert sorted(redis_commands) == ["EVALSHA", "SET"]
    redis_commands.clear()
    with django_assert_num_queries(0):
        assert api_client.get("/api/v1/version", **bearer(token)).status_code == 200
    assert redis_commands == ["EVALSHA"]


def test_token_use_is_audited_at_most_once_a_minute(api_client, user, issued):
    from accounts.models import AuditLogEntry

    for _ in range(3):
        assert api_client.get("/api/v1/repos", **bearer(issued["access_token"])).status_code == 200
    actions = list(AuditLogEntry.objects.filter(user=user).values_list("action", flat=True))
    assert actions.count("oauth-token:use") == 1
    assert actions.count("oauth-token:issue") == 1


def test_a_token_is_used_and_audited_while_redis_is_down(api_client, user, issued, stopped_redis):
    """The minute's marker cannot be set: the read goes on (rate limits fail open), and the use
    is still audited, once by this process."""
    from accounts.models import AuditLogEntry

    token = issued["access_token"]
    for _ in range(2):
        assert api_client.get("/api/v1/repos", **bearer(token)).status_code == 200
    assert AuditLogEntry.objects.filter(user=user, action="oauth-token:use").count() == 1


def test_an_unknown_token_is_a_401(api_client):
    response = api_client.get("/api/v1/repos", **bearer("apisvc_oat_" + "x" * 40))
    assert response.status_code == 401


# --------------------------------------------------------------- metadata


def test_server_metadata_names_the_endpoints_and_scopes(api_client):
    from auth.scopes import ALL_SCOPES

    body = api_client.get("/.well-known/oauth-authorization-server").json()
    assert body["authorization_endpoint"] == "http://testserver/authorize"
    assert body["token_endpoint"] == "http://testserver/api/v1/oauth/token"
    assert body["revocation_endpoint"] == "http://testserver/api/v1/oauth/revoke"
    assert body["scopes_supported"] == sorted(ALL_SCOPES)
    assert body["code_challenge_methods_supported"] == ["S256"]
    assert body["response_types_supported"] == ["code"]
    assert "none" in body["token_endpoint_auth_methods_supported"]


# ----------------------------------------------------------- rate limits


def test_login_posts_are_rate_limited_per_address(settings):
    settings.API_AUTH = {**settings.API_AUTH, "LOGIN_RATE": "2/m"}
    browser = Client()
    statuses = [browser.post("/login", {"username": "alice", "password": "wrong"}).status_code for _ in range(3)]
    assert statuses == [200, 200, 429]


def test_the_token_endpoint_has_its_own_scope_per_client_and_address(api_client, rate_limits, app, user):
    """``oauth-token`` and ``oauth-revoke`` (issue 26.5): one client's refreshes spend neither
    another client's budget nor the key exchange's, and a client named by HTTP Basic or in the
    body is the same bucket."""
    rate_limits(oauth_token="2/60+0", oauth_revoke="1/60+0", authenticate="1/60+0")
    other = oauth_app_create(user=user, name="Other", redirect_uris=[REDIRECT], scopes=["repos:read"]).application

    def token(client_id, basic=False):
        body = {"grant_type": "refresh_token", "refresh_token": "apisvc_ort_x"}
        if basic:
            credential = base64.b64encode(f"{client_id}:wrong".encode()).decode()
            return api_client.post(
                "/api/v1/oauth/token", body, format="multipart", HTTP_AUTHORIZATION=f"Basic {credential}"
            )
        return api_client.post("/api/v1/oauth/token", {**body, "client_id": client_id}, format="multipart")

    first = [token(app.client_id).status_code, token(app.client_id, basic=True).status_code]
    refused = token(app.client_id)
    assert first == [400, 401] and refused.status_code == 429
    assert refused["X-RateLimit-Scope"] == "oauth-token" and int(refused["Retry-After"]) >= 1
    assert token(other.client_id, basic=True).status_code == 401  # another client: its own bucket
    revoked = [revoke(api_client, app, "x").status_code for _ in range(2)]
    assert revoked == [200, 429]  # its own scope too
    assert api_client.post("/api/v1/authenticate", {"apiKey": "x"}, format="json").status_code == 401


def test_a_client_id_keys_a_bucket_only_with_the_address(rate_limits):
    """Anyone may send any client id: it joins the address, never replaces it."""
    from ratelimit import conf
    from ratelimit.services import Caller, bucket_for

    scope = conf.scopes()["oauth-token"]
    here, there = Caller(None, "192.0.2.1", "abc"), Caller(None, "192.0.2.2", "abc")
    assert bucket_for(scope, here) != bucket_for(scope, there)
    assert bucket_for(scope, here) != bucket_for(scope, Caller(None, "192.0.2.1", "abd"))
    assert bucket_for(scope, Caller(None, "192.0.2.1"))[0].endswith(":a:192.0.2.1")
    assert len(bucket_for(scope, Caller(None, "192.0.2.1", "x" * 10_000))[0]) < 120


def test_the_user_lists_and_withdraws_authorizations(api_client, app, issued, auth_headers, headers_for, other_user):
    listed = api_client.get("/api/v1/oauth/authorizations", **auth_headers).json()
    assert [(a["client_id"], a["name"]) for a in listed["results"]] == [(app.client_id, "Example CI")]
    assert api_client.get("/api/v1/oauth/authorizations", **headers_for(other_user)).json()["results"] == []
    assert api_client.get("/api/v1/repos", **bearer(issued["access_token"])).status_code == 200
    assert api_client.delete(f"/api/v1/oauth/authorizations/{app.client_id}", **auth_headers).status_code == 204
    assert api_client.get("/api/v1/repos", **bearer(issued["access_token"])).status_code == 401
    refresh = api_client.post(
        "/api/v1/oauth/token",
        {"grant_type": "refresh_token", "refresh_token": issued["refresh_token"], "client_id": app.client_id},
        format="multipart",
    )
    assert refresh.status_code == 400
    assert api_client.get("/api/v1/oauth/authorizations", **auth_headers).json()["results"] == []
    assert api_client.delete(f"/api/v1/oauth/authorizations/{app.client_id}", **auth_headers).status_code == 404


def test_the_pages_keep_their_opener_for_swagger_uis_popup(client):
    """Swagger UI's *Authorize* opens /authorize in a popup and gets the code back through
    window.opener, which ``Cross-Origin-Opener-Policy: same-origin`` would cut (checked in
    headless Chromium: the docs' Authorize then Try it out answers 200)."""
    assert client.get("/login")["Cross-Origin-Opener-Policy"] == "unsafe-none"
    callback = client.get("/api/v1/oauth2-redirect.html?code=x&state=y")
    assert callback.status_code == 200 and callback["Cross-Origin-Opener-Policy"] == "unsafe-none"
    assert b'src="/static/drf_spectacular_sidecar/swagger-ui-dist/oauth2-redirect.js"' in callback.content
    assert client.get("/authorize")["X-Frame-Options"] == "DENY"


# ------------------------------------------- the pages' Content-Security-Policy


def form_action(response):
    policy = dict(part.strip().split(" ", 1) for part in response["Content-Security-Policy"].split(";"))
    return policy["form-action"].split()


def test_the_consent_page_may_send_its_answer_to_the_redirect_uri(browser, app):
    """Browsers hold the redirect after a form's POST to the page's ``form-action`` too
    (Chromium refuses it otherwise; tests/browser/test_pages.py)."""
    page = browser.get("/authorize", authorize_params(app, generate_token(48)))
    assert form_action(page) == ["'self'", "http://127.0.0.1:9"]
    oob = browser.get("/authorize", authorize_params(app, generate_token(48), redirect_uri=OOB_URI))
    assert form_action(oob) == ["'self'"]


@pytest.mark.parametrize(
    ("redirect_uri", "expected"),
    [(REDIRECT, ["'self'", "http://127.0.0.1:9"]), (None, ["'self'"]), ("https://evil.example/cb", ["'self'"]),
     (OOB_URI, ["'self'"])],
)  # fmt: skip
def test_the_sign_in_page_names_the_clients_origin_only_if_registered(app, redirect_uri, expected):
    """Signing in may end at the client at once (``approval_prompt=auto``), after the POST."""
    query = urlencode(authorize_params(app, generate_token(48), redirect_uri=redirect_uri))
    page = Client().get("/login", {"next": f"/authorize?{query}"})
    assert form_action(page) == expected


def test_the_sign_in_page_alone_posts_here_only(client):
    assert form_action(client.get("/login")) == form_action(client.get("/login?next=/admin/")) == ["'self'"]


@pytest.mark.parametrize(
    ("uri", "origin"),
    [("https://ci.example/cb?x=1", "https://ci.example"), ("http://127.0.0.1:8080/cb", "http://127.0.0.1:8080"),
     ("http://[::1]:8080/cb", "http://[::1]:8080"), ("https://user@ci.example/cb", None),
     ("https://ci.example;script-src/cb", None), ("https://ci.example cdn.example/cb", None), (OOB_URI, None),
     ("", None), (None, None)],
)  # fmt: skip
def test_redirect_origin(uri, origin):
    assert redirect_origin(uri) == origin


def test_the_sign_in_page_names_the_only_registered_redirect_uri_when_none_is_given(user):
    single = oauth_app_create(
        user=user, name="One", redirect_uris=["https://one.example/cb"], scopes=["repos:read"], client_type="public"
    ).application
    page = Client().get("/login", {"next": f"/authorize?client_id={single.client_id}&response_type=code"})
    assert form_action(page) == ["'self'", "https://one.example"]


def test_revoking_the_access_token_leaves_its_refresh_token_usable(api_client, app, issued):
    """RFC 7009 §2.1 lets a server keep the refresh token when its access token is revoked;
    docs/authentication.md#revocation says this one does."""
    assert revoke(api_client, app, issued["access_token"]).status_code == 200
    refreshed = api_client.post(
        "/api/v1/oauth/token",
        {"grant_type": "refresh_token", "refresh_token": issued["refresh_token"], "client_id": app.client_id},
        format="multipart",
    )
    assert refreshed.status_code == 200, refreshed.content
    assert api_client.get("/api/v1/repos", **bearer(refreshed.json()["access_token"])).status_code == 200
    assert api_client.get("/api/v1/repos", **bearer(issued["access_token"])).status_code == 401


# ------------------------------------------------- errors in RFC 6749's shape


def oauth_error(response):
    assert response["Content-Type"] == "application/json" and response["Cache-Control"] == "no-store"
    body = response.json()
    assert set(body) == {"error", "error_description"}, body
    description = body["error_description"]
    assert description.isascii() and '"' not in description and "\\" not in description
    return body


@pytest.mark.parametrize("path", ["/api/v1/oauth/token", "/api/v1/oauth/revoke"])
def test_the_oauth_endpoints_answer_every_error_in_rfc_6749s_shape(api_client, rate_limits, app, path):
    """§2.8: the pipeline's own answers too (a 429 with Retry-After and its rate-limit headers,
    a 405, a 413), never ``{"errors": [...]}``, which a client library reads as a token."""
    rate_limits(oauth_token="1/60+0", oauth_revoke="1/60+0")
    body = {"grant_type": "refresh_token", "refresh_token": "apisvc_ort_x", "token": "x", "client_id": app.client_id}
    api_client.post(path, body, format="multipart")
    limited = api_client.post(path, body, format="multipart")
    assert limited.status_code == 429 and int(limited["Retry-After"]) >= 1 and "X-RateLimit-Scope" in limited
    assert oauth_error(limited)["error"] == "temporarily_unavailable"
    assert "rate limit exceeded" in limited.json()["error_description"]
    wrong_method = api_client.get(path)
    assert wrong_method.status_code == 405 and oauth_error(wrong_method)["error"] == "invalid_request"


def test_the_oauth_endpoints_answer_a_body_too_large_in_rfc_6749s_shape(api_client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100
    response = api_client.post("/api/v1/oauth/token", {"client_id": "x" * 200}, format="multipart")
    assert response.status_code == 413 and oauth_error(response)["error"] == "invalid_request"


def test_the_oauth_endpoints_answer_503_in_rfc_6749s_shape_when_redis_is_down(api_client, app, stopped_redis):
    body = {"grant_type": "refresh_token", "refresh_token": "apisvc_ort_x", "client_id": app.client_id}
    response = api_client.post("/api/v1/oauth/token", body, format="multipart")
    assert response.status_code == 503 and response["Retry-After"]
    assert oauth_error(response)["error"] == "temporarily_unavailable"


def test_a_malformed_form_body_is_invalid_request_not_a_500(client, app):
    """The rate limiter reads the client id from the form (a multipart body without its boundary)."""
    response = client.generic("POST", "/api/v1/oauth/token", b"--x\r\ngarbage", content_type="multipart/form-data")
    assert response.status_code == 400 and oauth_error(response)["error"] == "invalid_request"


def test_other_routes_keep_the_sourcehut_shape(api_client, rate_limits):
    rate_limits(authenticate="1/60+0")
    api_client.post("/api/v1/authenticate", {"apiKey": "x"}, format="json")
    response = api_client.post("/api/v1/authenticate", {"apiKey": "x"}, format="json")
    assert response.status_code == 429 and "errors" in response.json()


def test_authlib_raises_on_a_rate_limited_refresh(live_server_factory, rate_limits, app):
    """authlib returned a 429's ``{"errors": [...]}`` as if it were a token (issue 26.2)."""
    from authlib.integrations.base_client import OAuthError
    from authlib.integrations.requests_client import OAuth2Session

    server = live_server_factory(workers=1, **rate_limits(oauth_token="1/3600+0"))
    client = OAuth2Session(app.client_id, token={"refresh_token": "apisvc_ort_x", "access_token": "x"})
    client.token_endpoint_auth_method = "none"
    with pytest.raises(OAuthError) as first:
        client.refresh_token(f"{server.url}/api/v1/oauth/token")
    assert first.value.error == "invalid_grant"
    with pytest.raises(OAuthError) as limited:
        client.refresh_token(f"{server.url}/api/v1/oauth/token")
    assert limited.value.error == "temporarily_unavailable"
