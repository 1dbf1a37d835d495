"""Hangar's generated client (``hangar-api`` 2023.12, unmodified) against a real gunicorn (issue 26.1).

The library's calls whose routes this service has are run here, each with the outcome
docs/authentication.md#hangars-client-library states: the key exchange works, and the JWT
works in every spelling (the library's ``Bearer``, Hangar's ``HangarAuth``) on this
service's own routes; Hangar's key management, users, projects and permissions stay
Hangar's and are refused plainly.
"""

from __future__ import annotations

from typing import Any

import hangar_api
import pytest
from hangar_api.exceptions import ApiException

pytestmark = pytest.mark.slow


@pytest.fixture
def live_key(transactional_db, django_user_model, make_key):
    return make_key(django_user_model.objects.create_user("carol"), name="hangar")


def client(base: str, token: str | None = None) -> hangar_api.ApiClient:
    return hangar_api.ApiClient(hangar_api.Configuration(host=base, access_token=token))


def get(api: hangar_api.ApiClient, path: str, headers: dict[str, str] | None = None) -> Any:
    """A GET through the library's own request path (what its generated calls use), signed
    as its configuration says (``HangarAuth`` is the name of the library's auth setting)."""
    params = api.param_serialize(
        "GET", path, header_params={"Accept": "application/json", **(headers or {})}, auth_settings=["HangarAuth"]
    )
    answer = api.call_api(*params)
    answer.read()
    return api.response_deserialize(answer, {"200": "object"}).data


def test_hangars_client_trades_a_key_and_calls_with_its_jwt_in_either_spelling(gunicorn, live_key):
    base = gunicorn.url
    session = hangar_api.AuthenticationApi(client(base)).authenticate(api_key=live_key.secret)
    assert isinstance(session, hangar_api.ApiSession)
    assert session.token and session.expires_in == 3_600_000  # milliseconds, as Hangar says

    configured = client(base, session.token)  # the library sends "Authorization: Bearer <jwt>"
    assert get(configured, "/api/v1/user")["name"] == "carol"
    # What clients written against Hangar's server send; the configured Bearer header is replaced.
    hangar = get(configured, "/api/v1/keys", {"Authorization": f"HangarAuth {session.token}"})
    assert [key["name"] for key in hangar["results"]] == ["hangar"]


# Hangar's key management (a form of Hangar's permissions, answered as text/plain; keys
# deleted by name), users, projects and permissions: each call and its plain refusal.
OUTSIDE = [
    ("create_key", lambda apis: apis.keys.create_key(hangar_api.CreateAPIKeyForm(name="a-key", permissions=[hangar_api.NamedPermission.VIEW_PUBLIC_INFO])), 406),
    ("delete_key", lambda apis: apis.keys.delete_key(name="hangar"), 405),
    ("get_user", lambda apis: apis.users.get_user(user="carol"), 404),
    ("get_project", lambda apis: apis.projects.get_project(slug="x"), 404),
    ("show_permissions", lambda apis: apis.permissions.show_permissions(), 404),
]  # fmt: skip


def test_hangars_own_domain_stays_out(gunicorn, live_key):
    base = gunicorn.url
    token = hangar_api.AuthenticationApi(client(base)).authenticate(api_key=live_key.secret).token
    apis = Apis(client(base, token))
    statuses = {}
    for name, call, _ in OUTSIDE:
        with pytest.raises(ApiException) as refused:
            call(apis)
        statuses[name] = refused.value.status
    assert statuses == {name: status for name, _, status in OUTSIDE}


def test_hangars_key_list_answers_but_does_not_decode(gunicorn, live_key):
    """``get_keys`` reaches ``GET /api/v1/keys`` and gets a 200, but the body is this service's
    page of keys, not Hangar's list: the library decodes it as one empty ``ApiKey``."""
    base = gunicorn.url
    token = hangar_api.AuthenticationApi(client(base)).authenticate(api_key=live_key.secret).token
    answer = hangar_api.APIKeysApi(client(base, token)).get_keys_with_http_info()
    assert answer.status_code == 200
    assert answer.data.name is None and answer.data.token_identifier is None


class Apis:
    """The library's API classes, on one configured client."""

    def __init__(self, api: hangar_api.ApiClient) -> None:
        self.keys = hangar_api.APIKeysApi(api)
        self.users = hangar_api.UsersApi(api)
        self.projects = hangar_api.ProjectsApi(api)
        self.permissions = hangar_api.PermissionsApi(api)
