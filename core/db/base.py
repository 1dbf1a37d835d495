"""Django's PostgreSQL backend with two additions for the request path (issue #12).

**A health check without a round trip while the connection is quiet.** Django's
``CONN_HEALTH_CHECKS`` sends ``SELECT 1`` on a persistent connection before the first
query of each request: a second round trip on every request that reads one row. A
connection that PostgreSQL closed (a restart, ``pg_terminate_backend``, an idle timeout)
has something to read: the server's ``FATAL`` notice or the end of the stream. An idle
connection in autocommit has nothing, so a zero-timeout ``poll()`` on its socket tells
the two apart without a round trip. Only a connection with something waiting (or one
psycopg already knows is closed or broken) pays for Django's own check, which then closes
it and the query opens a fresh one; the request does not fail. What this cannot see is a
peer that vanished without a word (a dropped network path with no reset): Django's
``SELECT 1`` would not save that request either, it would wait for the socket timeout.

**Prepared statements for the hottest queries.** :meth:`DatabaseWrapper.prepared_cursor`
gives a cursor with server-side parameter binding whose statements PostgreSQL parses and
plans once per connection (psycopg keeps the last 100 per connection): planning the
key exchange's statement took 0.2 ms of its 0.35 ms in PostgreSQL. Django leaves prepared
statements off for every other query, as it does by default, so that connection poolers
that cannot carry them keep working; ``DATABASE_PREPARED_STATEMENTS=0`` turns these off
too (PgBouncer before 1.21 in transaction mode, say). Parameters are typed with server-side
binding: a text parameter that goes into an ``inet`` column is cast in the SQL.
"""

from __future__ import annotations

import select
from typing import Any

from django.conf import settings
from django.db.backends.postgresql import base, operations
from django.db.backends.utils import CursorWrapper
from django.utils.asyncio import async_unsafe
from psycopg import errors


def has_pending_input(fd: int) -> bool:
    """Whether the socket has data, an error or a hang-up waiting (never blocks)."""
    poller = select.poll()
    poller.register(fd, select.POLLIN | select.POLLPRI | select.POLLERR | select.POLLHUP)
    return bool(poller.poll(0))


# django-stubs declares neither the psycopg 3 cursor classes nor the health-check state
# used below; both are Django 5.2's, and tests/apiservice/test_db.py exercises them.
_ServerBindingCursor: Any = base.ServerBindingCursor


class PreparedCursor(_ServerBindingCursor):
    """Server-side binding, every statement prepared (psycopg prepares it on its first run), and
    results in PostgreSQL's binary format, which psycopg reads faster than text (a 51-row
    repository page: 0.28 ms instead of 0.43 ms, fetched in a loop)."""

    def execute(
        self, query: Any, params: Any = None, *, prepare: bool | None = None, binary: bool | None = None
    ) -> Any:
        return super().execute(query, params, prepare=True, binary=True)


class DatabaseOperations(operations.DatabaseOperations):
    def last_executed_query(self, cursor: Any, sql: Any, params: Any) -> Any:  # str or None, as Django's
        """A prepared statement's text with its parameters, as Django shows client-side ones
        (``connection.queries``, ``CaptureQueriesContext``, the ``django.db.backends`` log)."""
        if isinstance(cursor, PreparedCursor):
            try:
                return str(self.compose_sql(sql, params))
            except errors.DataError:
                return None
        return super().last_executed_query(cursor, sql, params)  # type: ignore[no-any-return]


# psycopg prepares a statement run this many times on a connection, or one executed with
# ``prepare=True``; Django's cursors bind on the client and are never prepared. A count no
# statement reaches leaves only PreparedCursor's statements prepared.
ONLY_WHEN_ASKED = 2**31 - 1


def prepared_statements_enabled() -> bool:
    return bool(getattr(settings, "DATABASE_PREPARED_STATEMENTS", True))


class DatabaseWrapper(base.DatabaseWrapper):
    ops_class = DatabaseOperations

    def get_connection_params(self) -> dict[str, Any]:
        params: dict[str, Any] = super().get_connection_params()
        if params.get("prepare_threshold") is None and prepared_statements_enabled():
            params["prepare_threshold"] = ONLY_WHEN_ASKED
        return params

    def close_if_health_check_failed(self) -> None:
        wrapper: Any = self
        connection = wrapper.connection
        if (
            connection is not None
            and wrapper.health_check_enabled
            and not wrapper.health_check_done
            and not wrapper.pool
            and not connection.closed
            and not connection.broken
            and not has_pending_input(connection.fileno())
        ):
            wrapper.health_check_done = True  # quiet: nothing can have closed it
            return
        super().close_if_health_check_failed()

    @async_unsafe
    def prepared_cursor(self) -> CursorWrapper:
        """``connection.cursor()``, but its statements are prepared (see the module's docstring)."""
        if not prepared_statements_enabled():
            return self.cursor()
        wrapper: Any = self
        wrapper.close_if_health_check_failed()
        wrapper.ensure_connection()
        with wrapper.wrap_database_errors:
            cursor: CursorWrapper = wrapper._prepare_cursor(PreparedCursor(wrapper.connection))
            return cursor
