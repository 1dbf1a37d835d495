"""The database backend (core/db): Django's health checks without a round trip on a quiet
connection, and a connection PostgreSQL closed is replaced before a request uses it."""

from __future__ import annotations

import json
import time

import pytest
from django.db import connection, connections

from core.db.base import has_pending_input
from resources.models import Repository
from tests.conftest import wsgi_call

pytestmark = pytest.mark.django_db(transaction=True)


def backend_pid() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def test_the_engine_is_ours_with_health_checks_on():
    assert connection.settings_dict["ENGINE"] == "core.db"
    assert connection.settings_dict["CONN_HEALTH_CHECKS"] is True
    assert connection.vendor == "postgresql"


@pytest.mark.fast_path
def test_a_quiet_connection_is_used_without_a_select_1(sql_round_trips):
    backend_pid()
    assert not has_pending_input(connection.connection.fileno())
    sql_round_trips.clear()
    connection.close_if_unusable_or_obsolete()  # what request_started does
    with connection.cursor() as cursor:
        cursor.execute("SELECT 42")
    assert sql_round_trips == ["SELECT 42"]


def test_a_connection_the_server_closed_is_replaced_before_the_next_query(sql_round_trips):
    first = backend_pid()
    other = connections.create_connection("default")
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", [first])
    finally:
        other.close()
    deadline = time.monotonic() + 5
    while not has_pending_input(connection.connection.fileno()) and time.monotonic() < deadline:
        time.sleep(0.01)
    assert has_pending_input(connection.connection.fileno())  # the server's FATAL, then the end of the stream
    sql_round_trips.clear()
    connection.close_if_unusable_or_obsolete()
    second = backend_pid()  # no error: Django's own check ran, failed, and a new connection was made
    assert second != first
    assert sql_round_trips[0] == "SELECT 1" and sql_round_trips[-1] == "SELECT pg_backend_pid()"


@pytest.mark.fast_path
def test_a_jwt_request_through_wsgi_sends_one_statement(api_key, user, sql_round_trips):
    Repository.objects.create(owner=user, name="one")
    status, body = wsgi_call("POST", "/api/v1/authenticate", body=json.dumps({"apiKey": api_key.secret}).encode())
    assert status.startswith("200")
    bearer = {"Authorization": f"Bearer {json.loads(body)['token']}"}
    for path in ("/api/v1/repos/one", "/api/v1/repos"):
        wsgi_call("GET", path, bearer)
        sql_round_trips.clear()
        status, body = wsgi_call("GET", path, bearer)
        assert status.startswith("200"), body
        assert len(sql_round_trips) == 1, sql_round_trips


def prepared_statements() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        return [row[0] for row in cursor.fetchall()]


@pytest.mark.fast_path
@pytest.mark.parametrize("server_side_binding", [True, False])
def test_the_hot_statements_are_prepared_once_per_connection(api_key, user, server_side_binding):
    """With server-side binding (the fast path's default), psycopg prepares what a connection runs
    again and again (its fifth run), so PostgreSQL plans each hot statement once per connection;
    with client-side binding (DATABASE_PREPARED_STATEMENTS=0, or the reference path), nothing is."""
    options = connection.settings_dict["OPTIONS"]
    saved = {name: options.get(name) for name in ("server_side_binding", "prepare_threshold")}
    options["server_side_binding"] = server_side_binding
    options["prepare_threshold"] = 5 if server_side_binding else None
    connection.close()  # a fresh connection, with that option: nothing prepared yet
    try:
        Repository.objects.create(owner=user, name="one")
        status, body = wsgi_call("POST", "/api/v1/authenticate", body=json.dumps({"apiKey": api_key.secret}).encode())
        bearer = {"Authorization": f"Bearer {json.loads(body)['token']}"}
        for _ in range(6):
            assert wsgi_call("GET", "/api/v1/repos", bearer)[0].startswith("200")
            assert wsgi_call("GET", "/api/v1/repos/one", bearer)[0].startswith("200")
            assert wsgi_call("GET", "/api/v1/repos", {"Authorization": f"token {api_key.secret}"})[0].startswith("200")
        prepared = prepared_statements()
    finally:
        options.update(saved)
        connection.close()
    hot = {
        "the list page": lambda sql: "ORDER BY r.owner_id DESC, r.id DESC LIMIT" in sql,
        "a repository": lambda sql: "AND r.name = " in sql,
        "an API key": lambda sql: sql.startswith('SELECT k."id"') and 'k."identifier" = ' in sql,
    }
    found = {name: sum(map(is_it, prepared)) for name, is_it in hot.items()}
    assert found == dict.fromkeys(hot, 1 if server_side_binding else 0), prepared


def test_column_names_are_read_once_per_statement(db):
    from core.sql import column_names

    class Counting:
        """A cursor that counts how often its description is read."""

        def __init__(self, cursor):
            self.cursor, self.reads = cursor, 0

        @property
        def description(self):
            self.reads += 1
            return self.cursor.description

    sql = "SELECT 1 AS one, 'x' AS two WHERE %(flag)s"
    with connection.cursor() as cursor:
        counting = Counting(cursor)
        for flag in (True, False, True):  # the names stay known when a run returns no row
            cursor.execute(sql, {"flag": flag})
            assert column_names(counting, sql) == ("one", "two")
    assert counting.reads == 1


def test_dict_rows_are_the_rows_keyed_by_their_columns_whatever_the_names(db):
    """The row maker is generated from the column names: quotes, braces and backslashes in a
    name stay a key (repr'd, never read as code), and it is made once per statement."""
    from core.sql import _MAKERS, dict_rows

    sql = """SELECT 1 AS "it's", 'x' AS "}{", NULL AS "a\\b", n AS "n" FROM generate_series(1, 3) n"""
    with connection.cursor() as cursor:
        cursor.execute(sql)
        rows = dict_rows(cursor, sql)
        maker = _MAKERS[sql]
        cursor.execute(sql)
        assert dict_rows(cursor, sql) == rows
        assert _MAKERS[sql] is maker
    assert rows == [{"it's": 1, "}{": "x", "a\\b": None, "n": n} for n in (1, 2, 3)]
