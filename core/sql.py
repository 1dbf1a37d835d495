"""Hand-written SQL on the request path (the fast paths of the hottest reads): their column names, their rows as dicts.

The statements run on ``connection.cursor()`` like any query; with server-side binding
(``DATABASE_PREPARED_STATEMENTS``, on by default with ``API_FAST_PATHS``) psycopg prepares
a statement a connection runs again and again, so PostgreSQL plans it once.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from core import caches

_COLUMNS: dict[str, tuple[str, ...]] = {}
_MAKERS: dict[str, Callable[[Sequence[Any]], dict[str, Any]]] = {}


def _clear() -> None:
    _COLUMNS.clear()
    _MAKERS.clear()


caches.register(
    "statement-columns",
    holds="the column names of each hand-written statement, and the function that makes its rows into dicts",
    bound="one entry per statement text in the code",
    invalidation="none needed: the text names its columns",
    clear=_clear,
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


def row_maker(names: Sequence[str]) -> Callable[[Sequence[Any]], dict[str, Any]]:
    """A function that makes one row (a tuple, as psycopg returns it) into a dict keyed by
    ``names``: a dict display written out, which builds a 50-row page in less than half the
    time of ``dict(zip(names, row))`` (the loop, the zip and the pairs it makes per value).

    >>> row_maker(["id", "name"])((7, "x"))
    {'id': 7, 'name': 'x'}
    """
    # The source is this text and the names, repr'd: a name is never read as code.
    items = ", ".join(f"{name!r}: row[{position}]" for position, name in enumerate(names))
    namespace: dict[str, Any] = {}
    exec(compile(f"def make(row):\n    return {{{items}}}\n", "<row maker>", "exec"), namespace)  # noqa: S102
    maker: Callable[[Sequence[Any]], dict[str, Any]] = namespace["make"]
    return maker


def dict_rows(cursor: Any, sql: str) -> list[dict[str, Any]]:
    """Every row ``sql`` returned on ``cursor`` (just executed), as a dict keyed by column name."""
    make = _MAKERS.get(sql)
    if make is None:
        make = _MAKERS[sql] = row_maker(column_names(cursor, sql))
    return list(map(make, cursor.fetchall()))
