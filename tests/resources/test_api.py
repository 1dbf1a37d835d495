"""§3 through the HTTP stack with real keys: shapes and types, errors, visibility, events."""

import pytest
from django.db import transaction

from accounts.models import AuditLogEntry
from resources.models import Repository, SSHKey
from tests.resources.conftest import fixture
from webhooks.models import Event

pytestmark = pytest.mark.django_db

NULLABLE_STR = (str, type(None))
TS = "timestamp"
USER_SHORT = {"canonical_name": str, "name": str}
SHAPES = {
    "user": {"id": int, "canonical_name": str, "name": str, "email": str, "url": str, "location": str, "bio": str,
             "use_pgp_key": NULLABLE_STR},
    "ssh": {"id": int, "authorized": TS, "comment": str, "fingerprint": str, "fingerprint_sha256": str, "key": str,
            "owner": USER_SHORT, "last_used": NULLABLE_STR},
    "pgp": {"id": int, "key": str, "key_id": str, "fingerprint": str, "email": str, "authorized": TS,
            "owner": USER_SHORT, "expiration": NULLABLE_STR},
    "repo": {"id": int, "created": TS, "updated": TS, "name": str, "owner": USER_SHORT, "description": str,
             "visibility": str},
    "audit": {"id": int, "ip": NULLABLE_STR, "action": str, "details": str, "created": TS},
}  # fmt: skip


def assert_shape(obj, shape):
    assert set(obj) == set(shape), obj
    for key, kind in shape.items():
        if kind == TS:
            assert isinstance(obj[key], str) and obj[key].endswith("+00:00") and len(obj[key]) == 25, (key, obj[key])
        elif isinstance(kind, dict):
            assert_shape(obj[key], kind)
        else:
            assert isinstance(obj[key], kind), (key, obj[key])


def errors(response, status):
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"errors"}
    return body["errors"]


def post(client, path, body, headers):
    return client.post(path, body, format="json", **headers)


@pytest.fixture
def ssh_key(api_client, auth_headers):
    return post(api_client, "/api/v1/user/ssh-keys", {"ssh-key": fixture("ssh_ed25519.pub")}, auth_headers).json()


@pytest.fixture
def repos(user):
    return {
        vis: Repository.objects.create(owner=user, name=f"r-{vis}", visibility=vis)
        for vis in ("public", "unlisted", "private")
    }


class TestUsers:
    def test_self_is_the_full_form(self, api_client, auth_headers, user):
        body = api_client.get("/api/v1/user", **auth_headers).json()
        assert_shape(body, SHAPES["user"])
        assert body["canonical_name"] == "~alice" and body["email"] == "alice@example.org"

    def test_others_see_public_fields_only(self, api_client, bob, user):
        body = api_client.get("/api/v1/user/~alice", **bob).json()
        assert "email" not in body and body["canonical_name"] == "~alice"
        assert api_client.get("/api/v1/user/~alice").json() == body  # anonymous: the same

    def test_unknown_user_is_404_and_anonymous_self_is_401(self, api_client, user):
        errors(api_client.get("/api/v1/user/~nobody"), 404)
        errors(api_client.get("/api/v1/user"), 401)

    def test_profile_update_fires_event_and_audit(self, api_client, auth_headers, user):
        pgp = post(api_client, "/api/v1/user/pgp-keys", {"pgp-key": fixture("pgp_ed25519.asc")}, auth_headers).json()
        body = api_client.put(
            "/api/v1/user/profile", {"bio": "hi", "url": "https://alice.example", "use_pgp_key": pgp["fingerprint"]},
            format="json", **auth_headers,
        ).json()  # fmt: skip
        assert_shape(body, SHAPES["user"])
        assert body["use_pgp_key"] == pgp["fingerprint"] and body["bio"] == "hi"
        event = Event.objects.filter(name="profile:update").get()
        assert event.payload == body
        assert AuditLogEntry.objects.filter(user=user, action="profile:update").exists()

    @pytest.mark.parametrize(
        ("body", "field"),
        [({"email": "nope"}, "email"), ({"url": "not a url"}, "url"), ({"use_pgp_key": "ABCD"}, "use_pgp_key")],
    )
    def test_profile_validation(self, api_client, auth_headers, body, field):
        assert [
            e["field"] for e in errors(api_client.put("/api/v1/user/profile", body, format="json", **auth_headers), 400)
        ] == [field]

    def test_profile_needs_the_profile_scope(self, api_client, user, headers_for):
        reason = errors(api_client.get("/api/v1/user/profile", **headers_for(user, ["repos:read"])), 403)[0]["reason"]
        assert "profile:read" in reason


class TestSSHKeys:
    def test_add_shape_event_audit(self, api_client, auth_headers, ssh_key, user):
        assert_shape(ssh_key, SHAPES["ssh"])
        assert ssh_key["comment"] == "ed25519@fixtures" and ssh_key["owner"] == {
            "canonical_name": "~alice",
            "name": "alice",
        }
        assert Event.objects.get(name="ssh-key:add").payload == ssh_key
        assert AuditLogEntry.objects.filter(user=user, action="ssh-key:add").count() == 1

    def test_duplicate_across_users_is_a_400_on_the_field(self, api_client, ssh_key, bob):
        response = post(api_client, "/api/v1/user/ssh-keys", {"ssh-key": fixture("ssh_ed25519.pub")}, bob)
        assert errors(response, 400) == [{"field": "ssh-key", "reason": "this SSH key is already registered"}]

    @pytest.mark.parametrize("body", [{"ssh-key": "garbage"}, {}, {"ssh-key": 5}, {"ssh_key": fixture("ssh_rsa.pub")}])
    def test_garbage_is_a_400_on_the_field(self, api_client, auth_headers, body):
        assert [e["field"] for e in errors(post(api_client, "/api/v1/user/ssh-keys", body, auth_headers), 400)] == [
            "ssh-key"
        ]

    def test_lookup_by_blob_is_anonymous_and_hides_last_used(self, api_client, ssh_key):
        SSHKey.objects.filter(pk=ssh_key["id"]).update(last_used="2026-01-01T00:00:00Z")
        blob = ssh_key["key"].split()[1]
        body = api_client.get(f"/api/v1/ssh-key/{blob}").json()
        assert body["id"] == ssh_key["id"] and body["last_used"] is None
        errors(api_client.get("/api/v1/ssh-key/AAAAnotthere"), 404)

    def test_owner_sees_last_used(self, api_client, auth_headers, ssh_key):
        SSHKey.objects.filter(pk=ssh_key["id"]).update(last_used="2026-01-01T00:00:00Z")
        assert (
            api_client.get(f"/api/v1/user/ssh-keys/{ssh_key['id']}", **auth_headers).json()["last_used"]
            == "2026-01-01T00:00:00+00:00"
        )

    def test_other_users_key_is_404_and_delete_fires_remove(self, api_client, auth_headers, bob, ssh_key):
        errors(api_client.get(f"/api/v1/user/ssh-keys/{ssh_key['id']}", **bob), 404)
        errors(api_client.delete(f"/api/v1/user/ssh-keys/{ssh_key['id']}", **bob), 404)
        assert api_client.delete(f"/api/v1/user/ssh-keys/{ssh_key['id']}", **auth_headers).status_code == 204
        assert Event.objects.get(name="ssh-key:remove").payload == {"id": ssh_key["id"]}

    def test_scopes(self, api_client, user, headers_for):
        reader = headers_for(user, ["keys:read"])
        assert api_client.get("/api/v1/user/ssh-keys", **reader).status_code == 200
        reason = errors(post(api_client, "/api/v1/user/ssh-keys", {"ssh-key": fixture("ssh_rsa.pub")}, reader), 403)[0][
            "reason"
        ]
        assert "keys:write" in reason
        errors(api_client.get("/api/v1/user/ssh-keys"), 401)


class TestPGPKeys:
    def test_add_lookup_delete(self, api_client, auth_headers, user):
        created = post(api_client, "/api/v1/user/pgp-keys", {"pgp-key": fixture("pgp_ed25519.asc")}, auth_headers)
        assert created.status_code == 201
        body = created.json()
        assert_shape(body, SHAPES["pgp"])
        assert body["email"] == "alice@example.org" and body["expiration"].endswith("+00:00")
        assert Event.objects.get(name="pgp-key:add").payload == body
        assert api_client.get(f"/api/v1/pgp-key/{body['fingerprint']}").json()["id"] == body["id"]
        assert api_client.get(f"/api/v1/pgp-key/{body['fingerprint'].lower()}").status_code == 200
        assert api_client.delete(f"/api/v1/user/pgp-keys/{body['id']}", **auth_headers).status_code == 204
        assert Event.objects.get(name="pgp-key:remove").payload == {"id": body["id"]}
        errors(api_client.get(f"/api/v1/pgp-key/{body['fingerprint']}"), 404)

    @pytest.mark.parametrize(
        ("text", "reason"),
        [
            (fixture("pgp_no_uid.asc"), "no user ID"),
            ("junk", "ASCII-armored"),
            (fixture("pgp_ed25519_private.asc"), "private"),
        ],
    )
    def test_refused(self, api_client, auth_headers, text, reason):
        (error,) = errors(post(api_client, "/api/v1/user/pgp-keys", {"pgp-key": text}, auth_headers), 400)
        assert error["field"] == "pgp-key" and reason in error["reason"]

    def test_duplicate_refused(self, api_client, auth_headers, bob):
        post(api_client, "/api/v1/user/pgp-keys", {"pgp-key": fixture("pgp_rsa.asc")}, auth_headers)
        (error,) = errors(post(api_client, "/api/v1/user/pgp-keys", {"pgp-key": fixture("pgp_rsa.asc")}, bob), 400)
        assert error == {"field": "pgp-key", "reason": "this PGP key is already registered"}


class TestRepositories:
    def test_create_shape_event_audit(self, api_client, auth_headers, user):
        response = post(
            api_client, "/api/v1/repos", {"name": "hello", "description": "d", "visibility": "unlisted"}, auth_headers
        )
        assert response.status_code == 201
        body = response.json()
        assert_shape(body, SHAPES["repo"])
        assert Event.objects.get(name="repo:create").payload == body
        assert AuditLogEntry.objects.filter(user=user, action="repo:create", details="hello").exists()

    @pytest.mark.parametrize("name", ["", ".", "..", ".git", "a b", "a/b", "ü"])
    def test_bad_names(self, api_client, auth_headers, name):
        assert [e["field"] for e in errors(post(api_client, "/api/v1/repos", {"name": name}, auth_headers), 400)] == [
            "name"
        ]

    def test_name_unique_per_owner_not_globally(self, api_client, auth_headers, bob):
        assert post(api_client, "/api/v1/repos", {"name": "x"}, auth_headers).status_code == 201
        assert [e["field"] for e in errors(post(api_client, "/api/v1/repos", {"name": "x"}, auth_headers), 400)] == [
            "name"
        ]
        assert post(api_client, "/api/v1/repos", {"name": "x"}, bob).status_code == 201

    def test_bad_visibility(self, api_client, auth_headers):
        assert (
            errors(post(api_client, "/api/v1/repos", {"name": "x", "visibility": "secret"}, auth_headers), 400)[0][
                "field"
            ]
            == "visibility"
        )

    def test_a_bad_request_lists_every_bad_field(self, api_client, auth_headers):
        body = {"name": "a b", "visibility": "bogus", "description": 5 * "x" * 1000}
        fields = [e["field"] for e in errors(post(api_client, "/api/v1/repos", body, auth_headers), 400)]
        assert sorted(fields) == ["description", "name", "visibility"]
        put = api_client.put("/api/v1/repos/nope", body, format="json", **auth_headers)
        assert put.status_code == 404  # the repository is looked up first: 404 before 400
        assert not Repository.objects.exists()

    def test_put_renames_and_empty_means_unchanged(self, api_client, auth_headers):
        post(api_client, "/api/v1/repos", {"name": "old", "description": "keep"}, auth_headers)
        body = api_client.put(
            "/api/v1/repos/old", {"name": "new", "description": "", "visibility": ""}, format="json", **auth_headers
        ).json()
        assert (body["name"], body["description"], body["visibility"]) == ("new", "keep", "public")
        assert Event.objects.get(name="repo:update").payload == body
        errors(api_client.get("/api/v1/repos/old", **auth_headers), 404)
        post(api_client, "/api/v1/repos", {"name": "other"}, auth_headers)
        assert (
            errors(api_client.put("/api/v1/repos/other", {"name": "new"}, format="json", **auth_headers), 400)[0][
                "field"
            ]
            == "name"
        )

    def test_delete_fires_event(self, api_client, auth_headers):
        repo = post(api_client, "/api/v1/repos", {"name": "gone"}, auth_headers).json()
        assert api_client.delete("/api/v1/repos/gone", **auth_headers).status_code == 204
        assert Event.objects.get(name="repo:delete").payload == {"id": repo["id"]}

    @pytest.mark.parametrize(
        ("who", "path", "status"),
        [
            ("bob", "/api/v1/~alice/repos/r-public", 200), ("bob", "/api/v1/~alice/repos/r-unlisted", 200),
            ("bob", "/api/v1/~alice/repos/r-private", 404), ("anon", "/api/v1/~alice/repos/r-public", 200),
            ("anon", "/api/v1/~alice/repos/r-unlisted", 200), ("anon", "/api/v1/~alice/repos/r-private", 404),
            ("alice", "/api/v1/~alice/repos/r-private", 200), ("bob", "/api/v1/repos/r-public", 404),
            ("anon", "/api/v1/repos", 401), ("anon", "/api/v1/~nobody/repos", 404),
        ],
    )  # fmt: skip
    def test_visibility_by_name(self, api_client, repos, auth_headers, bob, who, path, status):
        headers = {"alice": auth_headers, "bob": bob, "anon": {}}[who]
        assert api_client.get(path, **headers).status_code == status

    @pytest.mark.parametrize(
        ("who", "names"),
        [("alice", ["r-private", "r-unlisted", "r-public"]), ("bob", ["r-public"]), ("anon", ["r-public"])],
    )
    def test_lists_show_only_public_to_others(self, api_client, repos, auth_headers, bob, who, names):
        headers = {"alice": auth_headers, "bob": bob, "anon": {}}[who]
        body = api_client.get("/api/v1/~alice/repos", **headers).json()
        assert [r["name"] for r in body["results"]] == names and body["total"] == len(names)

    def test_readme_singleton(self, api_client, auth_headers, repos):
        errors(api_client.get("/api/v1/repos/r-public/readme", **auth_headers), 404)
        assert (
            api_client.put(
                "/api/v1/repos/r-public/readme", {"readme": "# Hi"}, format="json", **auth_headers
            ).status_code
            == 204
        )
        assert api_client.get("/api/v1/repos/r-public/readme", **auth_headers).json() == {"readme": "# Hi"}
        assert api_client.delete("/api/v1/repos/r-public/readme", **auth_headers).status_code == 204
        errors(api_client.get("/api/v1/repos/r-public/readme", **auth_headers), 404)
        assert (
            errors(api_client.put("/api/v1/repos/r-public/readme", {}, format="json", **auth_headers), 400)[0]["field"]
            == "readme"
        )


def test_audit_log_lists_changes_and_needs_audit_read(api_client, auth_headers, user, headers_for):
    post(api_client, "/api/v1/repos", {"name": "a"}, auth_headers)
    body = api_client.get("/api/v1/user/audit-log", **auth_headers).json()
    for row in body["results"]:
        assert_shape(row, SHAPES["audit"])
    assert "repo:create" in [row["action"] for row in body["results"]]
    assert body["results"][0]["ip"] == "127.0.0.1"
    errors(api_client.get("/api/v1/user/audit-log", **headers_for(user, ["repos:write"])), 403)
    assert api_client.post("/api/v1/user/audit-log", {}, format="json", **auth_headers).status_code == 405


def test_a_rolled_back_change_records_no_event(user):
    from resources.services.repos import repo_create

    with pytest.raises(RuntimeError), transaction.atomic():
        repo_create(owner=user, name="doomed", description="", visibility="public", ip=None)
        raise RuntimeError("the caller's transaction fails after the change")
    assert not Repository.objects.filter(name="doomed").exists()
    assert not Event.objects.exists()


def test_admin_pages_and_the_audit_log_is_read_only(admin_client, user, repos):
    AuditLogEntry.objects.create(user=user, action="x", ip="127.0.0.1")
    for page in (
        "accounts/user",
        "resources/sshkey",
        "resources/pgpkey",
        "resources/repository",
        "accounts/auditlogentry",
    ):
        assert admin_client.get(f"/admin/{page}/").status_code == 200, page
    assert admin_client.get("/admin/accounts/auditlogentry/add/").status_code == 403
    entry = AuditLogEntry.objects.first()
    assert entry is not None
    assert admin_client.post(f"/admin/accounts/auditlogentry/{entry.pk}/delete/", {"post": "yes"}).status_code == 403
    assert AuditLogEntry.objects.filter(pk=entry.pk).exists()
