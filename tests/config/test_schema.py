"""The schema the migrations build: no index that another index of the same table already serves."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.db import connection

from tests.conftest import ROOT

pytestmark = pytest.mark.django_db

# Each index of a table: its columns in order (with the operator class when it is not the
# column type's default, as for Django's ``_like`` indexes), whether it is unique, partial.
INDEXES = """
SELECT i.relname,
       array_agg(CASE WHEN opc.opcdefault THEN a.attname ELSE a.attname || ' ' || opc.opcname END
                 ORDER BY k.position),
       ix.indisunique, ix.indpred IS NOT NULL
FROM pg_index ix
JOIN pg_class t ON t.oid = ix.indrelid
JOIN pg_class i ON i.oid = ix.indexrelid
CROSS JOIN LATERAL unnest(ix.indkey::int2[], ix.indclass::oid[]) WITH ORDINALITY k(attnum, opclass, position)
LEFT JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum
JOIN pg_opclass opc ON opc.oid = k.opclass
WHERE t.relname = %s
GROUP BY i.relname, ix.indisunique, ix.indpred
"""


def first_party_tables() -> list[str]:
    """The tables of the project's own models (not Django's, not auto-created many-to-many tables)."""
    return sorted(
        model._meta.db_table
        for model in apps.get_models()
        if (ROOT / apps.get_app_config(model._meta.app_label).name.split(".")[0]).is_dir()  # not the venv's
        and not model._meta.auto_created
    )


def covered_indexes(table: str) -> list[str]:
    """Non-unique indexes whose columns start another full (not partial) index of ``table``:
    every look-up they serve, the longer one serves too, and each costs every write."""
    with connection.cursor() as cursor:
        cursor.execute(INDEXES, [table])
        indexes = cursor.fetchall()
    found = []
    for name, columns, unique, partial in indexes:
        if unique or partial or None in columns:  # a constraint, a condition or an expression: not redundant
            continue
        for other, other_columns, other_unique, other_partial in indexes:
            starts_it = other != name and not other_partial and other_columns[: len(columns)] == columns
            # longer, or its twin: a unique one, else one of two (by name)
            if starts_it and (len(other_columns) > len(columns) or other_unique or other < name):
                found.append(f"{table}.{name} {columns}: served by {other} {other_columns}")
                break
    return found


def test_the_tables_are_found():
    tables = first_party_tables()
    assert {"accounts_auditlogentry", "resources_repository", "webhooks_delivery", "api_auth_apikey"} <= set(tables)


def test_no_first_party_index_is_served_by_another():
    """A foreign key's own index (Django makes one unless ``db_index=False``) is redundant where
    a ``Meta`` index or constraint starts with the same column, such as ``(user, -id)`` for the
    keyset pages: one more B-tree to update on every insert and delete (an audit entry per
    change and per key exchange) and to vacuum, for no look-up the longer one cannot do."""
    assert [line for table in first_party_tables() for line in covered_indexes(table)] == []


def test_the_check_finds_a_covered_index():
    """The check above would see one: an index on ``user_id`` beside ``(user_id, -id)``."""
    with connection.cursor() as cursor:
        cursor.execute('CREATE INDEX test_audit_user ON "accounts_auditlogentry" (user_id)')
    assert covered_indexes("accounts_auditlogentry") == [
        "accounts_auditlogentry.test_audit_user ['user_id']: served by audit_user_id_desc ['user_id', 'id']"
    ]


@pytest.mark.django_db(transaction=True)  # CREATE/DROP INDEX CONCURRENTLY: outside a transaction
def test_the_migration_drops_the_indexes_concurrently_and_makes_them_again_on_the_way_back():
    from django.db.migrations.executor import MigrationExecutor

    latest = ("resources", "0005_foreign_keys_indexed_by_composites")
    executor = MigrationExecutor(connection)
    executor.migrate([("resources", "0004_statement_counts")])
    try:
        assert len(covered_indexes("resources_repository")) == 1  # (owner_id), made again
        assert len(covered_indexes("resources_sshkey")) == 1
    finally:
        executor = MigrationExecutor(connection)  # the graph as migrated back
        executor.migrate([latest])
    assert covered_indexes("resources_repository") == covered_indexes("resources_sshkey") == []
