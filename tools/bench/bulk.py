"""Bulk writes through the per-owner counters: an owner's repositories inserted in one
statement, then the owner deleted, at growing sizes; the time per row should stay flat.

    PYTHONPATH=tools .venv/bin/python -m bench.bulk                          # 25k, 50k, 100k (about 10 s)
    PYTHONPATH=tools .venv/bin/python -m bench.bulk --row-level 5000 10000 20000  # 0002's triggers
    PYTHONPATH=tools .venv/bin/python -m bench.bulk --single 2000  # one-row statements, both triggers

For each size: a new user; its repositories (one in three public) inserted by one
``bulk_create``; then ``user.delete()``, Django's cascade as an operator's removal (one
DELETE per related table). Each is timed from the call to its return inside its
transaction, commit excluded, and prints the seconds, microseconds per row, the statements
sent and the counter rows written (inserted or updated: ``pg_stat_xact_user_tables``).
``--row-level`` runs the same with migration 0002's row-level triggers, swapped in and
back inside each transaction, so nothing outlives a run. Runs on the embedded servers
(var/bench) unless DATABASE_URL/REDIS_URL are set, and deletes only users it created
(``bench-bulk-*``). ``--single`` times the API's one-row statements (insert, two updates,
delete) with both kinds of trigger instead. Not a test: speed stays out of the suite.
"""

from __future__ import annotations

import argparse
import importlib
import time
from collections.abc import Callable
from typing import Any

from bench.boot import boot

PREFIX = "bench-bulk-"


def counter_writes() -> int:
    """Counter rows this transaction inserted or updated so far."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT n_tup_ins + n_tup_upd FROM pg_stat_xact_user_tables WHERE relname = 'resources_ownercount'"
        )
        return int(cursor.fetchone()[0])


def measure(action: Callable[[], Any], row_level: bool) -> tuple[float, int, int]:
    """Seconds, statements and counter writes of ``action`` in a transaction of its own."""
    from django.db import connection, transaction

    counts = importlib.import_module("resources.migrations.0004_statement_counts")
    sent: list[str] = []

    def count(execute: Callable[..., Any], sql: str, *args: Any) -> Any:
        sent.append(sql)
        return execute(sql, *args)

    with transaction.atomic(), connection.cursor() as cursor:
        if row_level:
            cursor.execute(counts.REVERSE)
        before = counter_writes()
        with connection.execute_wrapper(count):
            started = time.perf_counter()
            action()
            seconds = time.perf_counter() - started
        written = counter_writes() - before
        if row_level:
            cursor.execute(counts.FORWARD)
    return seconds, len(sent), written


def vacuum() -> None:
    """What autovacuum does after a bulk change, so that each size starts from clean tables."""
    from django.db import connection

    with connection.cursor() as cursor:
        for table in ("resources_repository", "resources_ownercount", "accounts_user"):
            cursor.execute(f"VACUUM ANALYZE {table}")


def run(size: int, row_level: bool) -> str:
    from accounts.models import User
    from resources.models import OwnerCount, Repository

    owner = User.objects.create_user(f"{PREFIX}{size}")
    repos = [Repository(owner=owner, name=f"r{i}", visibility="private" if i % 3 else "public") for i in range(size)]
    inserted = measure(lambda: Repository.objects.bulk_create(repos), row_level)
    counted = dict(OwnerCount.objects.filter(owner_id=owner.pk).values_list("kind", "n"))
    assert counted == {"repo": size, "repo:public": len(range(0, size, 3))}, counted
    vacuum()
    owner_id = owner.pk
    deleted = measure(owner.delete, row_level)
    counted = dict(OwnerCount.objects.filter(owner_id=owner_id).values_list("kind", "n"))
    assert not Repository.objects.filter(owner_id=owner_id).exists() and set(counted.values()) == {0}, counted
    vacuum()
    cells = [f"{size:,}"]
    for seconds, statements, written in (inserted, deleted):
        cells += [f"{seconds:.2f}", f"{seconds / size * 1e6:.1f}", str(statements), f"{written:,}"]
    return "| " + " | ".join(cells) + " |"


SINGLE = """
CREATE FUNCTION pg_temp.single_writes(owners bigint[]) RETURNS TABLE (statement text, us float8) AS $$
DECLARE
  owner bigint;
  started timestamptz;
BEGIN
  statement := 'INSERT one repository'; started := clock_timestamp();
  FOREACH owner IN ARRAY owners LOOP
    INSERT INTO resources_repository (owner_id, name, description, visibility, created, updated)
    VALUES (owner, 'one', '', 'public', now(), now());
  END LOOP;
  us := extract(epoch FROM clock_timestamp() - started) * 1e6 / cardinality(owners); RETURN NEXT;
  statement := 'UPDATE its description'; started := clock_timestamp();
  FOREACH owner IN ARRAY owners LOOP
    UPDATE resources_repository SET description = 'x' WHERE owner_id = owner;
  END LOOP;
  us := extract(epoch FROM clock_timestamp() - started) * 1e6 / cardinality(owners); RETURN NEXT;
  statement := 'UPDATE its visibility'; started := clock_timestamp();
  FOREACH owner IN ARRAY owners LOOP
    UPDATE resources_repository SET visibility = 'private' WHERE owner_id = owner;
  END LOOP;
  us := extract(epoch FROM clock_timestamp() - started) * 1e6 / cardinality(owners); RETURN NEXT;
  statement := 'DELETE it'; started := clock_timestamp();
  FOREACH owner IN ARRAY owners LOOP
    DELETE FROM resources_repository WHERE owner_id = owner;
  END LOOP;
  us := extract(epoch FROM clock_timestamp() - started) * 1e6 / cardinality(owners); RETURN NEXT;
END $$ LANGUAGE plpgsql;
"""


def single(row_level: bool, owners: int) -> dict[str, float]:
    """Microseconds per single-row statement (the API's writes), each on another owner's
    counters so that no counter row collects versions; in one transaction, rolled back."""
    from django.db import connection, transaction

    from accounts.models import User

    counts = importlib.import_module("resources.migrations.0004_statement_counts")
    with transaction.atomic(), connection.cursor() as cursor:
        users = User.objects.bulk_create(User(username=f"{PREFIX}single-{i}") for i in range(owners))
        if row_level:
            cursor.execute(counts.REVERSE)
        cursor.execute(SINGLE)
        cursor.execute("SELECT * FROM pg_temp.single_writes(%s)", [[user.pk for user in users]])
        result = dict(cursor.fetchall())
        transaction.set_rollback(True)
    return result


def single_table(owners: int, rounds: int = 3) -> None:
    best: dict[bool, dict[str, float]] = {True: {}, False: {}}
    for _ in range(rounds):
        for row_level in (False, True):
            for statement, us in single(row_level, owners).items():
                best[row_level][statement] = min(us, best[row_level].get(statement, us))
    print("| single-row statement | statement-level us | row-level (0002) us |")
    print("|---|---:|---:|")
    for statement, us in best[False].items():
        print(f"| {statement} | {us:.0f} | {best[True][statement]:.0f} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("sizes", nargs="*", type=int, default=[25_000, 50_000, 100_000])
    parser.add_argument("--row-level", action="store_true", help="with migration 0002's row-level triggers")
    parser.add_argument("--single", type=int, metavar="OWNERS", help="single-row statements instead, both triggers")
    args = parser.parse_args()
    boot()
    from django.core.management import call_command

    from accounts.models import User

    call_command("migrate", verbosity=0)
    User.objects.filter(username__startswith=PREFIX).delete()  # left by an interrupted run
    vacuum()
    if args.single:
        single_table(args.single)
        return
    print("| repositories | insert s | us/row | statements | counter writes "
          "| delete owner s | us/row | statements | counter writes |", flush=True)  # fmt: skip
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|", flush=True)
    for size in args.sizes:
        print(run(size, args.row_level), flush=True)


if __name__ == "__main__":
    main()
