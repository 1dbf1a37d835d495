"""Performance by construction: constant queries per page, whatever its size or depth.

(That the fast read path equals DRF's own output is tests/core/test_fast.py.)"""

import pytest

from accounts.models import AuditLogEntry
from resources import serializers as s
from resources.models import Repository, SSHKey

pytestmark = pytest.mark.django_db


@pytest.fixture
def many(user):
    Repository.objects.bulk_create([Repository(owner=user, name=f"repo{i:03d}") for i in range(120)])
    SSHKey.objects.bulk_create(
        [SSHKey(owner=user, key=f"ssh-ed25519 K{i}", fingerprint=f"fp{i}", fingerprint_sha256="s") for i in range(120)]
    )
    AuditLogEntry.objects.bulk_create([AuditLogEntry(user=user, action="x", ip="127.0.0.1") for _ in range(120)])
    return user


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/repos",
        "/api/v1/~alice/repos",
        "/api/v1/user/ssh-keys",
        "/api/v1/user/pgp-keys",
        "/api/v1/user/audit-log",
    ],
)
def test_list_queries_do_not_grow_with_page_size(api_client, many, auth_headers, django_assert_max_num_queries, path):
    api_client.get(path + "?per_page=1", **auth_headers)  # key last_used written once a minute: not part of the count
    counts = []
    for per_page in (1, 100):
        with django_assert_max_num_queries(4) as captured:
            assert api_client.get(f"{path}?per_page={per_page}", **auth_headers).status_code == 200
        counts.append(len(captured))
    assert counts[0] == counts[1]


def test_walking_120_repositories_by_next_sees_each_once(api_client, many, auth_headers):
    seen, start = [], None
    while True:
        body = api_client.get("/api/v1/repos?per_page=13" + (f"&start={start}" if start else ""), **auth_headers).json()
        seen += [row["id"] for row in body["results"]]
        start = body["next"]
        if start is None:
            break
    assert len(seen) == len(set(seen)) == 120
    assert seen == sorted(seen, reverse=True)


def test_the_values_list_path_renders_what_the_model_path_renders(api_client, auth_headers, user):
    for name in ("a", "b"):
        api_client.post("/api/v1/repos", {"name": name, "description": f"d-{name}"}, format="json", **auth_headers)
    listed = api_client.get("/api/v1/repos", **auth_headers).json()["results"]
    expected = s.RepositorySerializer(Repository.objects.filter(owner=user).order_by("-id"), many=True).data
    assert listed == expected
    assert api_client.get("/api/v1/~alice/repos").json()["results"] == expected
