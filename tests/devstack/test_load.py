"""make load (tools/bench/load.py) survives the faults it measures: its database handle
reconnects, and its summary is printed whatever happened."""

import psycopg
import pytest
from bench import load
from bench.harness import Database, Record, Traffic
from django.db import OperationalError, connection

from accounts.models import User


def terminate(backend_pid: int) -> None:
    """What a PostgreSQL restart (a fast shutdown) or an administrator does to a connection."""
    db = connection.settings_dict
    with psycopg.connect(
        dbname=db["NAME"], host=db["HOST"], port=db["PORT"] or None, user=db["USER"], password=db["PASSWORD"],
        autocommit=True,
    ) as admin:  # fmt: skip
        assert admin.execute("SELECT pg_terminate_backend(%s)", [backend_pid]).fetchone() == (True,)


@pytest.mark.django_db(transaction=True)
def test_the_tools_database_handle_reconnects_after_its_connection_is_terminated():
    database = Database(connection, tries=5, pause=0)
    assert database.run(lambda: User.objects.count()) == 0
    terminate(connection.connection.info.backend_pid)
    with pytest.raises(OperationalError):  # a plain query: how make load ended (new.count(): AdminShutdown)
        User.objects.count()
    assert database.run(lambda: User.objects.count()) == 0
    assert (database.attempts, database.reconnects) == (3, 1)  # one on the dead connection, one on a new one
    assert database.run(lambda: User.objects.count()) == 0
    assert (database.attempts, database.reconnects) == (4, 1)


@pytest.mark.django_db(transaction=True)
def test_the_handle_gives_up_after_its_tries_with_the_error():
    database = Database(connection, tries=3, pause=0)
    calls = []

    def failing() -> int:
        calls.append(1)
        raise OperationalError("the server is away")

    with pytest.raises(OperationalError):
        database.run(failing)
    assert (len(calls), database.reconnects) == (3, 2)


def traffic_with(*records: Record) -> Traffic:
    traffic = Traffic("http://127.0.0.1:9", "unused", clients=0)
    traffic.records.extend(records)
    return traffic


def test_the_summary_is_printed_when_the_run_was_cut_short_and_the_database_is_away(capsys):
    traffic = traffic_with(
        Record("GET /repos", "GET", 200, 1.0, 0.010, False),
        Record("GET /repos", "GET", 503, 2.0, 0.002, True),
    )
    assert load.summary(traffic, None, ["a", "a"], 10.0, "interrupted") == 1
    out = capsys.readouterr().out
    assert "stopped early: interrupted" in out
    assert "requests            2 (0/s)" in out
    assert "by status           200: 1, 503: 1" in out
    assert "503 + Retry-After   1" in out and "other 5xx or none   0" in out
    assert "webhooks emitted    unknown (the database did not answer)" in out
    assert "| GET /repos | 2 | 2.0 |" in out


def test_the_summary_counts_lost_and_duplicated_webhooks_and_fails_on_a_500_or_no_answer(capsys):
    fine = traffic_with(Record("POST /repos", "POST", 201, 1.0, 0.01, False))
    assert load.summary(fine, {"a", "b"}, ["a", "b", "a"], 1.0, "") == 0
    out = capsys.readouterr().out
    assert "webhooks emitted    2\nwebhooks received   2\nwebhooks lost       0\nwebhooks duplicated 1\n" in out
    assert load.summary(fine, {"a", "b"}, ["a"], 1.0, "") == 1  # one lost
    for status, retry_after in ((500, False), (503, False), (-1, False)):
        broken = traffic_with(Record("GET /repos", "GET", status, 1.0, 0.01, retry_after))
        assert load.summary(broken, set(), [], 1.0, "") == 1
