"""A list page's ``total`` comes from per-owner counters that triggers keep exact, so a JWT
list page is one SQL round trip and one Redis round trip, however large the collection."""

from __future__ import annotations

import threading
import time

import pytest
from django.contrib.auth import get_user_model
from django.db import connection, connections
from django.db.models import F

from resources.models import OwnerCount, PGPKey, Repository, SSHKey
from resources.services.repos import repo_create, repo_delete, repo_update

pytestmark = pytest.mark.django_db


def counts(owner) -> dict[str, int]:
    """``owner`` is a user or, for a deleted one, its former id."""
    return dict(OwnerCount.objects.filter(owner_id=getattr(owner, "pk", owner)).values_list("kind", "n"))


def exact(owner) -> dict[str, int]:
    return {
        "repo": Repository.objects.filter(owner=owner).count(),
        "repo:public": Repository.objects.filter(owner=owner, visibility="public").count(),
        "ssh-key": SSHKey.objects.filter(owner=owner).count(),
        "pgp-key": PGPKey.objects.filter(owner=owner).count(),
    }


def test_counters_follow_every_kind_of_change(user, other_user):
    a = repo_create(owner=user, name="a", ip=None)
    repo_create(owner=user, name="b", visibility="private", ip=None)
    Repository.objects.bulk_create([Repository(owner=user, name=f"bulk{i}") for i in range(5)])  # no service, no signal
    SSHKey.objects.create(owner=user, key="ssh-ed25519 A", fingerprint="f1", fingerprint_sha256="s")
    repo_update(repo=a, changes={"visibility": "unlisted"}, ip=None)
    repo_delete(repo=Repository.objects.get(name="b"), ip=None)
    Repository.objects.filter(name__startswith="bulk", name__endswith="1").delete()  # a queryset delete
    Repository.objects.filter(name="bulk2").update(owner=other_user)  # ownership moves
    assert {kind: n for kind, n in counts(user).items() if n} == {k: v for k, v in exact(user).items() if v}
    assert counts(other_user) == {"repo": 1, "repo:public": 1}


def test_deleting_a_user_deletes_their_rows_without_resurrecting_counters(user):
    repo_create(owner=user, name="a", ip=None)
    user.delete()
    assert not Repository.objects.exists()
    assert OwnerCount.objects.filter(n__gt=0).count() == 0


def counter_writes() -> int:
    """Rows this transaction inserted into or updated in the counter table so far."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT n_tup_ins + n_tup_upd FROM pg_stat_xact_user_tables WHERE relname = 'resources_ownercount'"
        )
        return cursor.fetchone()[0]


def keys(owner, n: int) -> None:
    """``n`` SSH and ``n`` PGP keys for ``owner``, one INSERT statement per table."""
    SSHKey.objects.bulk_create(
        SSHKey(owner=owner, key=f"ssh-ed25519 K{i}", fingerprint=f"s{owner.pk}-{i}", fingerprint_sha256="x")
        for i in range(n)
    )
    PGPKey.objects.bulk_create(
        PGPKey(owner=owner, key="k", key_id=str(i), fingerprint=f"p{owner.pk}-{i}") for i in range(n)
    )


def test_multi_row_statements_keep_every_owners_counters_exact(user, other_user):
    """Bulk inserts, queryset updates and deletes over several owners, and a user's cascade."""
    third = get_user_model().objects.create_user("carol", email="carol@example.org")
    owners = (user, other_user, third)
    visibilities = ("public", "unlisted", "private")
    Repository.objects.bulk_create(  # i % 7 % 3: every owner has every visibility
        Repository(owner=owners[i % 3], name=f"r{i}", visibility=visibilities[i % 7 % 3]) for i in range(300)
    )
    keys(user, 20)
    keys(other_user, 30)
    Repository.objects.filter(name__endswith="5").update(visibility="private")  # public ones of every owner
    Repository.objects.filter(name__endswith="6", visibility="private").update(visibility="public")
    Repository.objects.filter(name__endswith="7").update(owner=third)  # from both other owners, and its own
    Repository.objects.filter(name__endswith="8").update(owner=other_user, visibility="public")
    Repository.objects.filter(name__endswith="9").update(description="no counted column")
    Repository.objects.filter(name__endswith="4").update(id=F("id") + 100_000, owner=third)  # ids change too
    Repository.objects.filter(owner__in=(user, third), name__endswith="1").delete()
    SSHKey.objects.filter(owner=other_user, key__endswith="3").update(owner=user)
    PGPKey.objects.filter(key_id__endswith="4").delete()
    for owner in owners:
        assert {k: n for k, n in counts(owner).items() if n} == {k: n for k, n in exact(owner).items() if n}
    deleted = user.pk
    user.delete()  # one DELETE per counted table for all of the user's rows
    assert counts(deleted) == {"repo": 0, "repo:public": 0, "ssh-key": 0, "pgp-key": 0}
    for owner in (other_user, third):
        assert {k: n for k, n in counts(owner).items() if n} == {k: n for k, n in exact(owner).items() if n}


@pytest.mark.parametrize("rows", [10, 500])
def test_a_statement_writes_each_counter_once_however_many_rows(user, other_user, rows):
    """Counting per statement: a statement over any number of rows of two owners writes at most
    one counter row per owner and kind (per row, it wrote one or two for every row)."""
    written = counter_writes()

    def writes() -> int:
        nonlocal written
        before, written = written, counter_writes()
        return written - before

    Repository.objects.bulk_create(Repository(owner=(user, other_user)[i % 2], name=f"r{i}") for i in range(rows))
    assert writes() == 4  # repo and repo:public of each owner
    keys(user, rows)
    assert writes() == 2  # ssh-key, pgp-key
    Repository.objects.filter(owner=user).update(description="x")
    assert writes() == 0  # no counted column changed
    Repository.objects.update(visibility="private")
    assert writes() == 2  # repo:public of each owner; repo nets to zero
    Repository.objects.filter(owner=other_user).update(owner=user)
    assert writes() == 2  # repo of each owner
    deleted = user.pk
    user.delete()
    assert writes() == 3  # repo, ssh-key, pgp-key
    assert counts(deleted) == {"repo": 0, "repo:public": 0, "ssh-key": 0, "pgp-key": 0}
    assert counts(other_user) == {"repo": 0, "repo:public": 0}


def test_the_counters_are_kept_by_statement_level_triggers_with_transition_tables():
    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT c.relname, t.tgname, t.tgtype & 1 = 1, t.tgoldtable IS NOT NULL, t.tgnewtable IS NOT NULL
               FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
               WHERE c.relname LIKE 'resources_%%' AND NOT t.tgisinternal ORDER BY 1, 2"""
        )
        triggers = cursor.fetchall()
    assert triggers == [
        (table, f"{table}_count_{event}", False, event != "insert", event != "delete")
        for table in ("resources_pgpkey", "resources_repository", "resources_sshkey")
        for event in ("delete", "insert", "update")
    ]


@pytest.mark.django_db(transaction=True)
def test_a_statement_locks_counter_rows_in_owner_order_whatever_its_rows_order(user, other_user):
    """Two statements touching the same owners lock their counter rows in one order, so they
    cannot deadlock: a statement whose first row is the later owner's waits for the earlier
    owner's counter rows while holding none of the later owner's."""
    assert user.pk < other_user.pk
    later = Repository.objects.create(owner=other_user, name="first")  # first in id and heap order
    earlier = Repository.objects.create(owner=user, name="second")
    pid: list[int] = []

    def make_both_private() -> None:
        own = connections.create_connection("default")
        try:
            with own.cursor() as cursor:
                cursor.execute("SELECT pg_backend_pid()")
                pid.append(cursor.fetchone()[0])
                cursor.execute(
                    "UPDATE resources_repository SET visibility = 'private' WHERE id = ANY(%s)",
                    [[later.pk, earlier.pk]],
                )
        finally:
            own.close()

    blocker = connections.create_connection("default")
    worker = threading.Thread(target=make_both_private)
    try:
        with blocker.cursor() as cursor:
            cursor.execute("BEGIN")
            cursor.execute("SELECT 1 FROM resources_ownercount WHERE owner_id = %s FOR UPDATE", [user.pk])
            worker.start()
            assert wait_for_lock(pid)
            with connection.cursor() as probe:  # LockNotAvailable if the worker holds a row of the later owner
                probe.execute(
                    "SELECT 1 FROM resources_ownercount WHERE owner_id = %s FOR UPDATE NOWAIT", [other_user.pk]
                )
            cursor.execute("ROLLBACK")
    finally:
        blocker.close()
        worker.join(10)
    assert counts(user) == {"repo": 1, "repo:public": 0}
    assert counts(other_user) == {"repo": 1, "repo:public": 0}


def wait_for_lock(pid: list[int]) -> bool:
    """Whether the backend whose id will be ``pid[0]`` waits for a lock within 10 seconds."""
    with connection.cursor() as cursor:
        for _ in range(1000):
            if pid:
                cursor.execute("SELECT wait_event_type FROM pg_stat_activity WHERE pid = %s", [pid[0]])
                if cursor.fetchone()[0] == "Lock":
                    return True
            time.sleep(0.01)
    return False


@pytest.mark.fast_path
@pytest.mark.parametrize("path", ["/api/v1/repos", "/api/v1/user/ssh-keys", "/api/v1/user/pgp-keys"])
def test_a_jwt_list_page_is_one_sql_and_one_redis_round_trip(
    api_client, api_key, user, path, django_assert_num_queries, redis_round_trips
):
    Repository.objects.bulk_create([Repository(owner=user, name=f"r{i}") for i in range(120)])
    token = api_client.post("/api/v1/authenticate", {"apiKey": api_key.secret}, format="json").json()["token"]
    redis_round_trips.clear()
    with django_assert_num_queries(1):
        response = api_client.get(path + "?per_page=50", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 200
    assert redis_round_trips == ["EVALSHA"]
    body = response.json()
    expected = {"/api/v1/repos": 120}.get(path, 0)
    assert body["total"] == expected and len(body["results"]) == min(50, expected)


@pytest.mark.fast_path
def test_a_deep_page_is_one_round_trip_with_the_same_total(api_client, api_key, user, django_assert_num_queries):
    Repository.objects.bulk_create([Repository(owner=user, name=f"r{i}") for i in range(300)])
    token = api_client.post("/api/v1/authenticate", {"apiKey": api_key.secret}, format="json").json()["token"]
    first = min(Repository.objects.values_list("id", flat=True))
    with django_assert_num_queries(1):
        body = api_client.get(f"/api/v1/repos?start={first + 10}", HTTP_AUTHORIZATION=f"Bearer {token}").json()
    assert (body["total"], len(body["results"]), body["next"]) == (300, 11, None)


def test_others_see_the_public_count(api_client, user, other_user):
    for name, visibility in (("pub", "public"), ("unl", "unlisted"), ("prv", "private")):
        repo_create(owner=user, name=name, visibility=visibility, ip=None)
    assert api_client.get("/api/v1/~alice/repos").json()["total"] == 1


@pytest.mark.fast_path
def test_another_users_list_is_two_statements_and_an_inactive_owner_is_404(
    api_client, user, other_user, django_assert_num_queries
):
    """``/~name/repos``: the owner's id by name, then the page with its total."""
    repo_create(owner=user, name="pub", ip=None)
    with django_assert_num_queries(2):
        body = api_client.get("/api/v1/~alice/repos").json()
    assert (body["total"], [repo["name"] for repo in body["results"]]) == (1, ["pub"])
    assert body["results"][0]["owner"] == {"canonical_name": "~alice", "name": "alice"}
    with django_assert_num_queries(2):
        assert api_client.get("/api/v1/~alice/repos/pub").json()["name"] == "pub"
    user.is_active = False
    user.save(update_fields=["is_active"])
    for path in ("/api/v1/~alice/repos", "/api/v1/~alice/repos/pub", "/api/v1/~nobody/repos"):
        assert api_client.get(path).status_code == 404


def page_plan(sql: str, params: dict, *, generic: bool) -> str:
    with connection.cursor() as cursor:
        if generic:  # the plan PostgreSQL may keep for every owner (no parameter values)
            numbered = sql
            for number, name in enumerate(params, start=1):
                numbered = numbered.replace(f"%({name})s", f"${number}")
            cursor.execute("EXPLAIN (GENERIC_PLAN) " + numbered)
        else:
            cursor.execute("EXPLAIN (ANALYZE) " + sql, params)
        return "\n".join(row[0] for row in cursor.fetchall())


@pytest.mark.fast_path
def test_a_page_reads_only_its_owners_index_entries_whatever_the_statistics(user, other_user):
    """With one owner holding nearly every row, a small owner's page could be a backward walk of
    the primary key past the large owner's rows (docs/performance.md, the plan hazard): the
    generic plan is a range of the owner's index, and no plan reads another owner's row."""
    from core.pagination import PageRequest
    from resources.selectors import OWN_PAGE_SQL, PAGE_ORDER, PUBLIC_PAGE_SQL, RepoQuery

    Repository.objects.bulk_create(
        Repository(owner=other_user if i % 100 == 0 else user, name=f"r{i}") for i in range(3000)
    )  # the small owner's 30 repositories are spread among the large owner's 2,970
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE resources_repository")
    small = sorted(Repository.objects.filter(owner=other_user).values_list("id", flat=True), reverse=True)
    for viewer in (other_user.pk, user.pk):  # the owner's page, and the public page others see
        own = viewer == other_user.pk
        sql = (OWN_PAGE_SQL if own else PUBLIC_PAGE_SQL) + PAGE_ORDER.format(limit=11)
        params = {"owner": other_user.pk, "kind": "repo" if own else "repo:public", "public": "public"}
        params = {**params, "start": small[10]}
        generic = page_plan(sql, params, generic=True)
        assert "Index Scan Backward using repo_owner" in generic and "repository_pkey" not in generic, generic
        custom = page_plan(sql, params, generic=False)  # may read the owner's rows another way
        removed = [int(line.split(":")[1]) for line in custom.splitlines() if "Rows Removed by Filter" in line]
        assert "repository_pkey" not in custom and sum(removed) < len(small), custom
        page = RepoQuery(owner_id=other_user.pk, viewer_id=viewer).page(PageRequest(start=small[10], per_page=10))
        assert [row["id"] for row in page.rows] + [page.next] == small[10:21] and page.total == 30
