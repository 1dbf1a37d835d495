"""Migration operations for indexes on live tables, built and dropped ``CONCURRENTLY``.

Django's ``AlterField`` to ``db_index=False`` drops a foreign key's own index with a plain
``DROP INDEX``, which waits for an ``ACCESS EXCLUSIVE`` lock: behind one long transaction
on the table, every read and write of it queues. :func:`foreign_key_index_dropped` changes
the migration state as that ``AlterField`` would and drops the index concurrently (the
migration must say ``atomic = False``, as for ``RemoveIndexConcurrently``)::

    foreign_key_index_dropped("accounts", "auditlogentry", "user", models.ForeignKey(..., db_index=False))
"""

from __future__ import annotations

from typing import Any

from django.db import migrations, models

# The plain single-column B-tree indexes of a column: not unique, not partial, not on an
# expression, the column type's default operator class (which a foreign key's index is).
PLAIN_INDEXES = """
SELECT i.relname
FROM pg_index ix
JOIN pg_class t ON t.oid = ix.indrelid
JOIN pg_class i ON i.oid = ix.indexrelid
JOIN pg_am am ON am.oid = i.relam
JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = ix.indkey[0]
JOIN pg_opclass opc ON opc.oid = ix.indclass[0]
WHERE t.relname = %s AND pg_catalog.pg_table_is_visible(t.oid) AND a.attname = %s
  AND ix.indnatts = 1 AND am.amname = 'btree' AND opc.opcdefault
  AND NOT ix.indisunique AND NOT ix.indisprimary AND ix.indpred IS NULL AND ix.indexprs IS NULL
"""


def foreign_key_index_dropped(
    app_label: str, model_name: str, name: str, field: models.ForeignKey[Any, Any]
) -> migrations.SeparateDatabaseAndState:
    """``AlterField(model_name, name, field)`` for a foreign key that became ``db_index=False``,
    its index dropped concurrently; migrating back makes one again, concurrently."""

    def columns(apps: Any) -> tuple[str, str, set[str]]:
        model = apps.get_model(app_label, model_name)
        declared = {index.name for index in model._meta.indexes}
        return model._meta.db_table, model._meta.get_field(name).column, declared

    def drop(apps: Any, schema_editor: Any) -> None:
        table, column, declared = columns(apps)
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(PLAIN_INDEXES, [table, column])
            found = [index for (index,) in cursor.fetchall() if index not in declared]
        quote = schema_editor.quote_name
        for index in found:
            schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {quote(index)}")

    def make(apps: Any, schema_editor: Any) -> None:
        table, column, _ = columns(apps)
        quote = schema_editor.quote_name
        index = f"{table}_{column}_fk"[:63]  # PostgreSQL's limit on a name
        schema_editor.execute(
            f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {quote(index)} ON {quote(table)} ({quote(column)})"
        )

    return migrations.SeparateDatabaseAndState(
        state_operations=[migrations.AlterField(model_name, name, field)],
        database_operations=[migrations.RunPython(drop, make, atomic=False)],
    )
