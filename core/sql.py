"""Hand-written SQL on the request path (the fast paths of the hottest reads): their column names.

The statements run on ``connection.cursor()`` like any query; with server-side binding
(``DATABASE_PREPARED_STATEMENTS``, on by default with ``API_FAST_PATHS``) psycopg prepares
a statement a connection runs again and again, so PostgreSQL plans it once.
"""

from __future__ import annotations

from typing import Any

from core import caches

_COLUMNS: dict[str, tuple[str, ...]] = {}
caches.register(
    "statement-columns",
    holds="the column names of each hand-written statement",
    bound="one entry per statement text in the code",
    invalidation="none needed: the text names its columns",
    clear=_COLUMNS.clear,
)


def column_names(cursor: Any, sql: str) -> tuple[str, ...]:
    """The names of the columns ``sql`` returned on ``cursor``, read once per statement text.

    ``cursor.description`` makes a ``Column`` object per column every time it is read (a
    7-column row: ~15 us a request). Only for statements that name their columns: the
    text is the key, so a ``SELECT *`` would keep its first columns after a migration.
    """
    names = _COLUMNS.get(sql)
    if names is None:
        names = _COLUMNS[sql] = tuple(column.name for column in cursor.description)
    return names
