"""The fast paths and their reference path (``API_FAST_PATHS=0``) answer every client the same:
the same status, body bytes and headers, route by route (docs/performance.md#fast-paths)."""

from __future__ import annotations

import pytest

from resources.models import Repository

pytestmark = [pytest.mark.django_db, pytest.mark.fast_path]

COMPARED_HEADERS = ("Content-Type", "ETag", "Last-Modified", "Link", "Content-Length", "X-RateLimit-Scope")


@pytest.fixture
def repos(user):
    for name, visibility in [("pub", "public"), ("unl", "unlisted"), ("priv", "private"), ("pub2", "public")]:
        Repository.objects.create(owner=user, name=name, description=f"the {visibility} one", visibility=visibility)


def both_ways(api_client, settings, path, headers, accept=None):
    answers = []
    for fast in (True, False):
        settings.API_FAST_PATHS = fast
        extra = {"HTTP_ACCEPT": accept} if accept else {}
        response = api_client.get(path, **headers, **extra)
        answers.append(
            (response.status_code, response.content, {name: response.get(name) for name in COMPARED_HEADERS})
        )
    return answers


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/repos", "/api/v1/repos?per_page=2", "/api/v1/repos?per_page=1&start=999999", "/api/v1/repos/priv",
        "/api/v1/repos/nope", "/api/v1/~alice/repos", "/api/v1/~alice/repos/unl", "/api/v1/user/ssh-keys",
        "/api/v1/user/pgp-keys", "/api/v1/user/audit-log?fields=action", "/api/v1/keys", "/api/v1/version",
        "/api/v1/repos?start=x", "/api/v1/user",
    ],
)  # fmt: skip
@pytest.mark.parametrize("who", ["owner", "someone else", "anonymous"])
def test_both_paths_answer_the_same(api_client, settings, user, other_user, repos, headers_for, path, who):
    headers = {"owner": headers_for(user), "someone else": headers_for(other_user), "anonymous": {}}[who]
    fast, reference = both_ways(api_client, settings, path, headers)
    assert fast == reference


@pytest.mark.parametrize("accept", ["application/yaml", "text/html", "application/json; indent=2", "image/png"])
def test_both_paths_negotiate_the_same(api_client, settings, user, repos, headers_for, accept):
    fast, reference = both_ways(api_client, settings, "/api/v1/repos", headers_for(user), accept)
    if accept == "text/html":  # the page carries a CSRF token of its own each time
        assert fast[0] == reference[0] == 200
    else:
        assert fast == reference
