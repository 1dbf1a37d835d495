"""Hand-written SQL on the request path: the cursor for statements run on every request.

``prepared_cursor()`` is ``connection.cursor()`` whose statements PostgreSQL parses and plans
once per connection (the backend in ``core/db`` provides it; with any other backend,
or ``DATABASE_PREPARED_STATEMENTS=0``, it is an ordinary cursor). Use it for a few fixed
statements only: each distinct text is prepared on every connection that runs it.
"""

from __future__ import annotations

from typing import Any

from django.db import connection
from django.db.backends.utils import CursorWrapper

_COLUMNS: dict[str, tuple[str, ...]] = {}


def prepared_cursor() -> CursorWrapper:
    make = getattr(connection, "prepared_cursor", None)
    return make() if make is not None else connection.cursor()


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
