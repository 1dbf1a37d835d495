"""``CONN_HEALTH_CHECKS`` without a ``SELECT 1`` before every request's first query.

Django's health check sends ``SELECT 1`` on a persistent connection before the first query
of each request: a second round trip on every request that reads one row (issue #12). A
connection that PostgreSQL closed (a restart, ``pg_terminate_backend``, an idle timeout)
has something to read: the server's ``FATAL`` notice or the end of the stream. An idle
connection in autocommit has nothing, so a zero-timeout ``poll()`` on its socket tells
the two apart without a round trip. Only a connection with something waiting (or one
psycopg already knows is closed or broken) pays for Django's own check, which then closes
it and the query opens a fresh one; the request does not fail.

What this cannot see is a peer that vanished without a word (a dropped network path with
no reset): Django's ``SELECT 1`` would not save that request either, it would wait for
the socket timeout in the same way.
"""

from __future__ import annotations

import select

from django.db.backends.postgresql import base


def has_pending_input(fd: int) -> bool:
    """Whether the socket has data, an error or a hang-up waiting (never blocks)."""
    poller = select.poll()
    poller.register(fd, select.POLLIN | select.POLLPRI | select.POLLERR | select.POLLHUP)
    return bool(poller.poll(0))


class DatabaseWrapper(base.DatabaseWrapper):
    def close_if_health_check_failed(self) -> None:
        connection = self.connection
        if (
            connection is not None
            and self.health_check_enabled
            and not self.health_check_done
            and not self.pool
            and not connection.closed
            and not connection.broken
            and not has_pending_input(connection.fileno())
        ):
            self.health_check_done = True  # quiet: nothing can have closed it
            return
        super().close_if_health_check_failed()
