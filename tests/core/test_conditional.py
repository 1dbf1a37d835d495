"""Conditional requests (§1.12): ETag/Last-Modified, 304 for If-None-Match/If-Modified-Since, 412 for If-Match."""

import pytest
from django.utils.http import http_date

from core import conditional
from core import headers as h

pytestmark = pytest.mark.django_db


@pytest.fixture
def repo(api_client, auth_headers):
    created = api_client.post("/api/v1/repos", {"name": "hello", "description": "first"}, format="json", **auth_headers)
    assert created.status_code == 201
    return created.json()


@pytest.mark.parametrize(
    ("header", "etag", "matches"),
    [
        ('"a"', '"a"', True),
        ('W/"a"', '"a"', True),
        ('"x", "a"', '"a"', True),
        ("*", '"a"', True),
        ('"b"', '"a"', False),
        ("garbage", '"a"', False),
    ],
)
def test_if_none_match_uses_the_weak_comparison(header, etag, matches):
    assert conditional.none_match(header, etag) is matches


@pytest.mark.parametrize(
    ("header", "matches"), [('"a"', True), ('"x", "a"', True), ("*", True), ('W/"a"', False), ('"b"', False)]
)
def test_if_match_uses_the_strong_comparison(header, matches):
    assert conditional.match(header, '"a"') is matches


@pytest.mark.parametrize("path", ["/api/v1/repos/hello", "/api/v1/repos", "/api/v1/repos?per_page=1"])
def test_unchanged_resource_and_page_answer_304_then_200_after_a_change(api_client, auth_headers, repo, path):
    first = api_client.get(path, **auth_headers)
    etag = first[h.ETAG]
    assert first.status_code == 200 and etag.startswith('"') and len(etag) == 34

    again = api_client.get(path, HTTP_IF_NONE_MATCH=etag, **auth_headers)
    assert again.status_code == 304
    assert again.content == b""
    assert again[h.ETAG] == etag
    assert h.RATELIMIT_REMAINING in again and "Content-Type" not in again
    assert again["Content-Length"] == str(len(first.content))  # RFC 9110 §8.6: the 200's length, or none

    changed = api_client.put("/api/v1/repos/hello", {"description": "second"}, format="json", **auth_headers)
    assert changed.status_code == 200
    after = api_client.get(path, HTTP_IF_NONE_MATCH=etag, **auth_headers)
    assert after.status_code == 200 and after[h.ETAG] != etag
    assert after.json() != first.json()


def test_each_representation_has_its_own_etag(api_client, auth_headers, repo):
    json_tag = api_client.get("/api/v1/repos/hello", **auth_headers)[h.ETAG]
    yaml_tag = api_client.get("/api/v1/repos/hello", HTTP_ACCEPT="application/yaml", **auth_headers)[h.ETAG]
    fields_tag = api_client.get("/api/v1/repos/hello?fields=id", **auth_headers)[h.ETAG]
    assert len({json_tag, yaml_tag, fields_tag}) == 3
    assert api_client.get("/api/v1/repos/hello", HTTP_IF_NONE_MATCH=yaml_tag, **auth_headers).status_code == 200


def test_a_304_keeps_the_link_header_of_its_page(api_client, auth_headers, repo):
    api_client.post("/api/v1/repos", {"name": "second"}, format="json", **auth_headers)
    page = api_client.get("/api/v1/repos?per_page=1", **auth_headers)
    again = api_client.get("/api/v1/repos?per_page=1", HTTP_IF_NONE_MATCH=page[h.ETAG], **auth_headers)
    assert again.status_code == 304 and again[h.LINK] == page[h.LINK]


def test_last_modified_and_if_modified_since(api_client, auth_headers, repo):
    first = api_client.get("/api/v1/repos/hello", **auth_headers)
    last_modified = first[h.LAST_MODIFIED]
    assert last_modified.endswith("GMT")
    assert (
        api_client.get("/api/v1/repos/hello", HTTP_IF_MODIFIED_SINCE=last_modified, **auth_headers).status_code == 304
    )
    assert api_client.get("/api/v1/repos/hello", HTTP_IF_MODIFIED_SINCE=http_date(0), **auth_headers).status_code == 200
    # If-None-Match wins over If-Modified-Since (RFC 9110 §13.2.2)
    stale = api_client.get(
        "/api/v1/repos/hello", HTTP_IF_NONE_MATCH='"old"', HTTP_IF_MODIFIED_SINCE=last_modified, **auth_headers
    )
    assert stale.status_code == 200
    assert h.LAST_MODIFIED not in api_client.get("/api/v1/repos", **auth_headers)  # a page has no single time


def test_anonymous_reads_and_errors(api_client):
    version = api_client.get("/api/v1/version")
    assert api_client.get("/api/v1/version", HTTP_IF_NONE_MATCH=version[h.ETAG]).status_code == 304
    missing = api_client.get("/api/v1/repos/nope", HTTP_IF_NONE_MATCH="*")
    assert missing.status_code == 401 and h.ETAG not in missing  # only a 200 has an ETag


def test_stale_if_match_is_412_and_a_fresh_one_succeeds(api_client, auth_headers, repo):
    etag = api_client.get("/api/v1/repos/hello", **auth_headers)[h.ETAG]
    assert api_client.put("/api/v1/repos/hello", {"description": "b"}, format="json", **auth_headers).status_code == 200

    stale = api_client.put(
        "/api/v1/repos/hello", {"description": "lost update"}, format="json", HTTP_IF_MATCH=etag, **auth_headers
    )
    assert stale.status_code == 412
    assert stale.json()["errors"][0]["reason"].startswith("the resource changed")
    current = api_client.get("/api/v1/repos/hello", **auth_headers)
    assert current.json()["description"] == "b"
    assert stale[h.ETAG] == current[h.ETAG]

    fresh = api_client.put(
        "/api/v1/repos/hello", {"description": "c"}, format="json", HTTP_IF_MATCH=current[h.ETAG], **auth_headers
    )
    assert fresh.status_code == 200 and fresh.json()["description"] == "c"
    assert api_client.delete("/api/v1/repos/hello", HTTP_IF_MATCH=current[h.ETAG], **auth_headers).status_code == 412
    newest = api_client.get("/api/v1/repos/hello", **auth_headers)[h.ETAG]
    assert api_client.delete("/api/v1/repos/hello", HTTP_IF_MATCH=f'"x", {newest}', **auth_headers).status_code == 204


def test_if_match_star_and_weak_tags(api_client, auth_headers, repo):
    etag = api_client.get("/api/v1/repos/hello", **auth_headers)[h.ETAG]
    weak = api_client.put(
        "/api/v1/repos/hello", {"description": "w"}, format="json", HTTP_IF_MATCH=f"W/{etag}", **auth_headers
    )
    assert weak.status_code == 412  # If-Match compares strongly
    star = api_client.put("/api/v1/repos/hello", {"description": "s"}, format="json", HTTP_IF_MATCH="*", **auth_headers)
    assert star.status_code == 200


def test_if_match_on_something_absent_is_left_to_the_view(api_client, auth_headers):
    assert api_client.delete("/api/v1/repos/nope", HTTP_IF_MATCH='"x"', **auth_headers).status_code == 404


def test_if_match_probe_is_not_counted_twice(api_client, auth_headers, rate_limits):
    """The GET that finds the current ETag is internal: the write is counted once, the read not at all."""
    rate_limits(authenticated_read="5/3600+0", authenticated_write="5/3600+0")
    created = api_client.post("/api/v1/repos", {"name": "hello"}, format="json", **auth_headers)
    assert created[h.RATELIMIT_REMAINING] == "4"
    etag = api_client.get("/api/v1/repos/hello", **auth_headers)[h.ETAG]
    written = api_client.put(
        "/api/v1/repos/hello", {"description": "x"}, format="json", HTTP_IF_MATCH=etag, **auth_headers
    )
    assert written.status_code == 200 and written[h.RATELIMIT_SCOPE] == "authenticated-write"
    assert written[h.RATELIMIT_REMAINING] == "3"
    assert api_client.get("/api/v1/repos/hello", **auth_headers)[h.RATELIMIT_REMAINING] == "3"  # reads: 2 of 5


@pytest.mark.slow
def test_two_writers_with_one_etag_cannot_both_win(live_server_factory, django_user_model, make_key):
    """The If-Match check and the write hold an advisory lock on the path: a writer that
    waited for another one's commit sees its change and gets the 412 (no lost update)."""
    import threading
    import time

    import requests
    from django.db import connection, transaction

    from resources.models import Repository

    owner = django_user_model.objects.create_user("carol")
    secret = make_key(owner, name="live").secret
    server = live_server_factory(workers=1)
    auth_headers = {"Authorization": f"token {secret}"}
    url = f"{server.url}/api/v1/repos/hello"
    assert requests.post(f"{server.url}/api/v1/repos", json={"name": "hello"}, headers=auth_headers, timeout=30).ok
    etag = requests.get(url, headers=auth_headers, timeout=30).headers[h.ETAG]
    with requests.Session() as session:  # a 304 over a real connection, which stays usable
        revalidated = [session.get(url, headers={**auth_headers, "If-None-Match": etag}, timeout=30) for _ in range(2)]
    assert [r.status_code for r in revalidated] == [304, 304] and revalidated[0].content == b""
    results = {}

    def second_writer():
        results["put"] = requests.put(
            url, json={"description": "B"}, headers={**auth_headers, "If-Match": etag}, timeout=60
        )

    with transaction.atomic():  # the first writer: holds the lock, changes the repository, commits
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [conditional.path_lock_id("/api/v1/repos/hello")])
        thread = threading.Thread(target=second_writer)
        thread.start()
        deadline = time.monotonic() + 30
        while True:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_stat_clear_snapshot()")
                cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE wait_event = 'advisory'")
                if cursor.fetchone()[0]:
                    break
            assert time.monotonic() < deadline, "the second writer never waited for the lock"
            time.sleep(0.05)
        Repository.objects.filter(owner=owner, name="hello").update(description="A")
    thread.join(60)
    assert results["put"].status_code == 412
    assert requests.get(url, headers=auth_headers, timeout=30).json()["description"] == "A"
