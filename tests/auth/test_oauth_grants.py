"""A code works once; credentials minted through an OAuth token die with its grant (SPEC §2.8).

The flow helpers (consent page, code exchange) are ``test_oauth.py``'s; the same flow over
HTTP on gunicorn, with authlib as the client, is in ``test_oauth_live.py``.
"""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from authlib.common.security import generate_token
from django.test import Client
from django.utils import timezone
from oauth2_provider.models import AccessToken, Application
from rest_framework.test import APIClient

from accounts.models import AuditLogEntry
from auth.credentials import Credential
from auth.models import ApiKey, OAuthRedeemedCode
from auth.oauth import tokens as oauth_tokens
from auth.oauth.services import oauth_app_create
from auth.oauth.validator import Validator
from auth.services import InvalidCredential, api_key_create
from tests.auth.test_oauth import REDIRECT, bearer, code_from, consent, exchange

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_claims_cache():
    oauth_tokens.CACHE.clear()
    yield
    oauth_tokens.CACHE.clear()


@pytest.fixture
def app(user):
    return oauth_app_create(
        user=user,
        name="Key maker",
        redirect_uris=[REDIRECT],
        scopes=["apikeys:write", "repos:read"],
        client_type="public",
    ).application


def browser_of(user):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(user)
    return browser


def authorized(api_client, app, user, scope="apikeys:write repos:read"):
    """``(code, verifier, tokens)``: the user approved ``app`` and the code was exchanged once."""
    verifier = generate_token(48)
    code = code_from(consent(browser_of(user), app, verifier, scope=scope))
    response = exchange(api_client, app, code, verifier)
    assert response.status_code == 200, response.content
    return code, verifier, response.json()


def refresh(api_client, app, refresh_token):
    body = {"grant_type": "refresh_token", "refresh_token": refresh_token, "client_id": app.client_id}
    return api_client.post("/api/v1/oauth/token", body, format="multipart")


def revoke(api_client, app, token):
    return api_client.post("/api/v1/oauth/revoke", {"token": token, "client_id": app.client_id}, format="multipart")


def status(api_client, credential):
    return api_client.get("/api/v1/repos", **bearer(credential)).status_code


def actions(user):
    return list(AuditLogEntry.objects.filter(user=user).values_list("action", flat=True))


# ------------------------------------------------- a code works once (RFC 6749 §4.1.2)


def test_a_reused_code_is_refused_and_revokes_the_tokens_it_issued(api_client, app, user):
    code, verifier, first = authorized(api_client, app, user)
    assert status(api_client, first["access_token"]) == 200  # its claims are now cached here

    again = exchange(api_client, app, code, verifier)
    assert again.status_code == 400 and again.json()["error"] == "invalid_grant"
    assert status(api_client, first["access_token"]) == 401
    assert refresh(api_client, app, first["refresh_token"]).status_code == 400
    assert AccessToken.objects.count() == 0
    assert actions(user).count("oauth-code:reuse") == 1


def test_a_reused_code_revokes_the_tokens_rotated_from_it_since(api_client, app, user):
    code, verifier, first = authorized(api_client, app, user)
    rotated = refresh(api_client, app, first["refresh_token"]).json()
    assert status(api_client, rotated["access_token"]) == 200

    assert exchange(api_client, app, code, verifier).status_code == 400
    assert status(api_client, rotated["access_token"]) == 401
    assert refresh(api_client, app, rotated["refresh_token"]).status_code == 400


def test_a_spent_code_revokes_nothing_without_its_verifier_or_from_another_client(api_client, app, user):
    """Whoever merely saw the code (a log, a browser's history) cannot revoke the user's tokens."""
    code, verifier, first = authorized(api_client, app, user)
    wrong_verifier = exchange(api_client, app, code, generate_token(48))
    assert wrong_verifier.status_code == 400 and wrong_verifier.json()["error"] == "invalid_grant"
    other = oauth_app_create(
        user=user, name="Other", redirect_uris=[REDIRECT], scopes=["repos:read"], client_type="public"
    )
    assert exchange(api_client, other.application, code, verifier).status_code == 400
    assert status(api_client, first["access_token"]) == 200
    assert "oauth-code:reuse" not in actions(user)


def test_a_code_spent_by_a_concurrent_exchange_is_refused_and_revokes_what_that_issued(
    api_client, app, user, monkeypatch
):
    """Two exchanges of one code at once: the other one spends it just after this one checked it.

    The checks that follow (PKCE, redirect URI) use the grant as validated, the tokens are
    saved only if this exchange can still claim the code, and the answer is RFC 6749's JSON.
    """
    verifier = generate_token(48)
    code = code_from(consent(browser_of(user), app, verifier, scope="repos:read"))
    winner: list = []
    validate_code = Validator.validate_code

    def then_spent_elsewhere(self, client_id, code, client, request, *args, **kwargs):
        valid = validate_code(self, client_id, code, client, request, *args, **kwargs)
        if not winner:
            winner.append(None)
            winner[0] = exchange(APIClient(), app, code, verifier).json()
        return valid

    monkeypatch.setattr(Validator, "validate_code", then_spent_elsewhere)
    loser = exchange(api_client, app, code, verifier)
    assert loser.status_code == 400 and loser["Content-Type"] == "application/json", loser.content
    assert loser.json()["error"] == "invalid_grant" and loser["Cache-Control"] == "no-store"
    assert "access_token" in winner[0]
    assert status(api_client, winner[0]["access_token"]) == 401
    assert AccessToken.objects.count() == 0  # nor were the losing exchange's tokens saved


def test_redeemed_codes_are_kept_as_checksums_and_forgotten_after_a_day(api_client, app, user):
    code, _, _ = authorized(api_client, app, user)
    record = OAuthRedeemedCode.objects.get()
    assert record.code_checksum == hashlib.sha256(code.encode()).hexdigest()
    assert code not in str(record.__dict__)
    OAuthRedeemedCode.objects.update(redeemed=timezone.now() - timedelta(days=1, seconds=1))
    authorized(api_client, app, user)
    assert OAuthRedeemedCode.objects.count() == 1 and OAuthRedeemedCode.objects.get().pk != record.pk


# ----------------------------------------------- credentials minted through a token


def mint(api_client, credential):
    """An API key and an app token created with ``credential``, and a JWT of the key: their texts."""
    body = {"name": "minted", "scopes": ["apikeys:write", "repos:read"]}
    key = api_client.post("/api/v1/keys", body, format="json", **bearer(credential))
    assert key.status_code == 201, key.content
    app_token = api_client.post("/api/v1/user/apptoken", {"title": "minted"}, format="json", **bearer(credential))
    assert app_token.status_code == 201, app_token.content
    jwt = api_client.post("/api/v1/authenticate", {"apiKey": key.json()["key"]}, format="json").json()["token"]
    return [key.json()["key"], app_token.json()["token"]["token_code"], jwt]


def withdraw_authorization(api_client, app, tokens, auth_headers):
    assert api_client.delete(f"/api/v1/oauth/authorizations/{app.client_id}", **auth_headers).status_code == 204


def delete_application(api_client, app, tokens, auth_headers):
    assert api_client.delete(f"/api/v1/oauth/apps/{app.client_id}", **auth_headers).status_code == 204


def delete_application_row(api_client, app, tokens, auth_headers):
    Application.objects.get(pk=app.pk).delete()  # what the admin does


def revoke_the_last_token(api_client, app, tokens, auth_headers):
    assert revoke(api_client, app, tokens["refresh_token"]).status_code == 200


@pytest.mark.parametrize(
    "withdraw", [withdraw_authorization, delete_application, delete_application_row, revoke_the_last_token]
)
def test_keys_minted_with_an_oauth_token_die_with_the_grant(api_client, app, user, make_key, auth_headers, withdraw):
    _, _, tokens = authorized(api_client, app, user)
    minted = mint(api_client, tokens["access_token"])
    plain = make_key(scopes=["apikeys:write", "repos:read"]).secret
    minted_by_plain = mint(api_client, plain)
    assert {status(api_client, text) for text in [*minted, plain, *minted_by_plain]} == {200}
    assert ApiKey.objects.filter(oauth_application=app).count() == 2

    withdraw(api_client, app, tokens, auth_headers)
    assert [status(api_client, text) for text in minted] == [401, 401, 401]
    assert {status(api_client, text) for text in [plain, *minted_by_plain]} == {200}
    assert not ApiKey.objects.filter(oauth_application_id=app.pk).exists()
    reasons = AuditLogEntry.objects.filter(user=user, action="api-key:delete").values_list("details", flat=True)
    assert len(reasons) == 2 and all("Key maker" in reason for reason in reasons)


def test_a_key_minted_with_a_minted_key_or_its_jwt_dies_with_the_same_grant(api_client, app, user, auth_headers):
    _, _, tokens = authorized(api_client, app, user)
    key, _, jwt = mint(api_client, tokens["access_token"])
    grandchildren = [*mint(api_client, key), *mint(api_client, jwt)]
    assert {status(api_client, text) for text in grandchildren} == {200}
    withdraw_authorization(api_client, app, tokens, auth_headers)
    assert {status(api_client, text) for text in grandchildren} == {401}


def test_revoking_one_token_keeps_the_minted_keys_while_the_grant_holds_another(api_client, app, user):
    _, _, first = authorized(api_client, app, user)
    _, _, second = authorized(api_client, app, user)
    minted = mint(api_client, first["access_token"])
    assert revoke(api_client, app, first["access_token"]).status_code == 200  # its refresh token stays
    assert status(api_client, first["access_token"]) == 401
    assert {status(api_client, text) for text in minted} == {200}
    assert revoke(api_client, app, first["refresh_token"]).status_code == 200
    assert {status(api_client, text) for text in minted} == {200}
    assert revoke(api_client, app, second["refresh_token"]).status_code == 200  # the last one
    assert {status(api_client, text) for text in minted} == {401}


def test_a_reused_code_ends_the_grant_and_the_keys_minted_through_it(api_client, app, user):
    code, verifier, tokens = authorized(api_client, app, user)
    minted = mint(api_client, tokens["access_token"])
    assert exchange(api_client, app, code, verifier).status_code == 400
    assert {status(api_client, text) for text in minted} == {401}


def test_a_replayed_refresh_token_that_revokes_the_grant_ends_the_minted_keys(api_client, app, user):
    _, _, tokens = authorized(api_client, app, user)
    minted = mint(api_client, tokens["access_token"])
    rotated = refresh(api_client, app, tokens["refresh_token"]).json()
    assert {status(api_client, text) for text in minted} == {200}  # rotation keeps the grant
    assert refresh(api_client, app, tokens["refresh_token"]).status_code == 400  # replay: the family goes
    assert status(api_client, rotated["access_token"]) == 401
    assert {status(api_client, text) for text in minted} == {401}


def test_another_users_withdrawal_leaves_this_users_keys(api_client, app, user, other_user, headers_for):
    _, _, mine = authorized(api_client, app, user)
    _, _, theirs = authorized(api_client, app, other_user)
    my_keys, their_keys = mint(api_client, mine["access_token"]), mint(api_client, theirs["access_token"])
    response = api_client.delete(f"/api/v1/oauth/authorizations/{app.client_id}", **headers_for(other_user))
    assert response.status_code == 204
    assert {status(api_client, text) for text in their_keys} == {401}
    assert {status(api_client, text) for text in my_keys} == {200}
    assert status(api_client, mine["access_token"]) == 200


def test_a_key_is_not_minted_with_a_token_revoked_meanwhile(api_client, app, user):
    """The token was verified (its claims cached), then revoked before the key was created."""
    _, _, tokens = authorized(api_client, app, user)
    row = AccessToken.objects.get()
    creator = Credential(kind="oauth", user_id=user.pk, api_key_id=0, scopes=frozenset({"apikeys:write"}),
                         oauth_token_id=row.pk)  # fmt: skip
    row.delete()
    with pytest.raises(InvalidCredential):
        api_key_create(user=user, name="late", scopes=["apikeys:write"], creator=creator)
    assert not ApiKey.objects.exists()
