"""The OAuth flow over HTTP on a real gunicorn (two workers), as a browser and a client drive it.

The browser is a ``requests.Session`` filling the login and consent forms (CSRF tokens
included); the client side is authlib's ``OAuth2Session`` with PKCE (S256).
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from html.parser import HTMLParser
from urllib.parse import parse_qs, urljoin, urlsplit

import pytest
import requests
from authlib.common.security import generate_token
from authlib.integrations.base_client import OAuthError
from authlib.integrations.requests_client import OAuth2Session

from auth.oauth.services import OOB_URI, oauth_app_create

REDIRECT = "http://127.0.0.1:9/callback"
PASSWORD = "correct horse battery staple"


class Inputs(HTMLParser):
    """The named inputs of a page's forms: ``{name: value}`` (the last form's win)."""

    def __init__(self) -> None:
        super().__init__()
        self.values: dict[str, str] = {}

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "input" and attributes.get("name"):
            self.values[attributes["name"]] = attributes.get("value") or ""


def inputs(html: str) -> dict[str, str]:
    parser = Inputs()
    parser.feed(html)
    return parser.values


@pytest.fixture
def carol(transactional_db, django_user_model):
    return django_user_model.objects.create_user("carol", password=PASSWORD)


@pytest.fixture
def app(carol):
    return oauth_app_create(
        user=carol,
        name="Live client",
        redirect_uris=[REDIRECT, OOB_URI],
        scopes=["repos:read", "keys:read", "apikeys:write"],
        client_type="public",
    ).application


def browser_consents(base: str, authorize_url: str) -> requests.Response:
    """Log in and approve as a person would; the service's answer to the approval."""
    browser = requests.Session()
    login = browser.get(authorize_url, timeout=10)  # -> /login?next=/authorize?...
    assert login.status_code == 200 and urlsplit(login.url).path == "/login"
    fields = inputs(login.text)
    assert set(fields) >= {"csrfmiddlewaretoken", "username", "password", "next"}
    consent = browser.post(
        urljoin(base, "/login"),
        data={**fields, "username": "carol", "password": PASSWORD},
        timeout=10,
    )  # -> back to /authorize: the consent page
    assert consent.status_code == 200 and "Authorize Live client?" in consent.text, consent.text[:500]
    form = inputs(consent.text)
    assert form["code_challenge_method"] == "S256"
    approved = browser.post(
        urljoin(base, "/authorize"), data={**form, "allow": "on"}, allow_redirects=False, timeout=10
    )
    return approved


def test_the_whole_flow_and_revocation_across_two_processes(live_server_factory, app):
    server = live_server_factory(
        workers=2, DJANGO_SECURE_COOKIES="0", OAUTH_HTTP_REDIRECT_URIS="1"
    )  # plain HTTP on loopback
    base = server.url
    client = OAuth2Session(
        app.client_id,
        redirect_uri=REDIRECT,
        scope="repos:read",
        code_challenge_method="S256",
        token_endpoint_auth_method="none",
    )
    verifier = generate_token(48)
    authorize_url, state = client.create_authorization_url(f"{base}/authorize", code_verifier=verifier)

    approved = browser_consents(base, authorize_url)
    assert approved.status_code == 302
    location = approved.headers["Location"]
    assert location.startswith(REDIRECT) and parse_qs(urlsplit(location).query)["state"] == [state]
    code = parse_qs(urlsplit(location).query)["code"][0]

    token = client.fetch_token(
        f"{base}/api/v1/oauth/token", authorization_response=location, code_verifier=verifier, state=state
    )
    assert token["scope"] == "repos:read"
    assert client.get(f"{base}/api/v1/repos", timeout=10).status_code == 200
    assert client.get(f"{base}/api/v1/user/ssh-keys", timeout=10).status_code == 403  # not granted

    first = dict(token)
    refreshed = client.refresh_token(f"{base}/api/v1/oauth/token")
    assert refreshed["refresh_token"] != first["refresh_token"]
    old = requests.get(f"{base}/api/v1/repos", headers={"Authorization": f"Bearer {first['access_token']}"}, timeout=10)
    assert old.status_code == 401

    # Both workers verify (and cache) the new token, then it is revoked (RFC 7009).
    headers = {"Authorization": f"token {refreshed['access_token']}"}
    assert {requests.get(f"{base}/api/v1/repos", headers=headers, timeout=10).status_code for _ in range(12)} == {200}
    revoked = client.revoke_token(f"{base}/api/v1/oauth/revoke", token=refreshed["access_token"])
    assert revoked.status_code == 200
    # No sleep: the marker is set before the revocation answers, so every worker refuses at once.
    assert {requests.get(f"{base}/api/v1/repos", headers=headers, timeout=10).status_code for _ in range(12)} == {401}

    # The out-of-band variant, as docs/authentication.md shows it: the code is read off a page.
    cli = OAuth2Session(
        app.client_id,
        redirect_uri=OOB_URI,
        scope="keys:read",
        code_challenge_method="S256",
        token_endpoint_auth_method="none",
    )
    cli_verifier = generate_token(48)
    url, _ = cli.create_authorization_url(f"{base}/authorize", code_verifier=cli_verifier)
    page = browser_consents(base, url)
    assert page.status_code == 200 and "Your authorization code" in page.text
    oob_code = page.text.split('id="code" aria-labelledby="code-label">')[1].split("<")[0]
    cli.fetch_token(f"{base}/api/v1/oauth/token", code=oob_code, code_verifier=cli_verifier)
    assert cli.get(f"{base}/api/v1/user/ssh-keys", timeout=10).status_code == 200

    output = server.output()
    secrets = (code, oob_code, first["access_token"], first["refresh_token"], refreshed["refresh_token"], verifier)
    for secret in secrets:
        assert secret not in output


def test_a_reused_code_revokes_what_it_issued_on_every_process(live_server_factory, app):
    """RFC 6749 §4.1.2 with authlib as the client: the tokens issued from a code used twice,
    and a key minted with them (SPEC §2.8), are refused by both workers at once."""
    base = live_server_factory(workers=2, DJANGO_SECURE_COOKIES="0", OAUTH_HTTP_REDIRECT_URIS="1").url

    def approved(scope: str) -> tuple[OAuth2Session, str, str, str]:
        client = OAuth2Session(
            app.client_id,
            redirect_uri=REDIRECT,
            scope=scope,
            code_challenge_method="S256",
            token_endpoint_auth_method="none",
        )
        verifier = generate_token(48)
        url, state = client.create_authorization_url(f"{base}/authorize", code_verifier=verifier)
        return client, verifier, state, browser_consents(base, url).headers["Location"]

    def statuses(credential: str) -> set[int]:
        headers = {"Authorization": f"Bearer {credential}"}
        return {requests.get(f"{base}/api/v1/repos", headers=headers, timeout=10).status_code for _ in range(12)}

    client, verifier, state, location = approved("apikeys:write repos:read")
    token_url = f"{base}/api/v1/oauth/token"
    token = client.fetch_token(token_url, authorization_response=location, code_verifier=verifier, state=state)
    minted = client.post(f"{base}/api/v1/keys", json={"name": "minted", "scopes": ["repos:read"]}, timeout=10)
    assert minted.status_code == 201
    assert statuses(token["access_token"]) == {200} and statuses(minted.json()["key"]) == {200}  # cached by both

    replay = OAuth2Session(app.client_id, redirect_uri=REDIRECT, token_endpoint_auth_method="none")
    with pytest.raises(OAuthError) as refused:
        replay.fetch_token(token_url, authorization_response=location, code_verifier=verifier, state=state)
    assert refused.value.error == "invalid_grant"
    assert statuses(token["access_token"]) == {401} and statuses(minted.json()["key"]) == {401}
    with pytest.raises(OAuthError):
        client.refresh_token(token_url)

    # One code sent twice at once: whichever exchange gets the tokens, the other revokes them.
    _, verifier, _, location = approved("repos:read")
    body = {
        "grant_type": "authorization_code",
        "code": parse_qs(urlsplit(location).query)["code"][0],
        "redirect_uri": REDIRECT,
        "client_id": app.client_id,
        "code_verifier": verifier,
    }
    start = threading.Barrier(2)

    def exchange(_: int) -> requests.Response:
        start.wait()
        return requests.post(token_url, data=body, timeout=10)

    with ThreadPoolExecutor(2) as pool:
        answers = sorted(pool.map(exchange, range(2)), key=lambda answer: answer.status_code)
    assert [answer.status_code for answer in answers] == [200, 400]
    assert answers[1].json().get("error") == "invalid_grant", answers[1].text
    assert statuses(answers[0].json()["access_token"]) == {401}
