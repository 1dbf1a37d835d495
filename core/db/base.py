"""Django's PostgreSQL backend, with a health check that needs no round trip while the connection is quiet.

Django's ``CONN_HEALTH_CHECKS`` asks the backend's ``is_usable()`` before the first query of
each request on a kept connection, and Django's answer is a ``SELECT 1``: a second round trip
on every request that reads one row. A connection that PostgreSQL closed (a restart,
``pg_terminate_backend``, an idle timeout) has something to read: the server's ``FATAL``
notice or the end of the stream. An idle connection in autocommit has nothing. So a
zero-timeout ``poll()`` of its socket tells the two apart without a round trip, and only a
connection with something waiting (or one psycopg already knows is closed or broken) pays
for Django's ``SELECT 1``, which then finds it dead: Django closes it and the query opens a
fresh one, so the request does not fail. What this cannot see is a peer that vanished
without a word (a dropped network path); Django's ``SELECT 1`` would wait for the socket
timeout there too.

``is_usable`` is the backend method Django defines for this check; the rest is psycopg's
public connection API (``closed``, ``broken``, ``fileno()``). With ``API_FAST_PATHS=0`` it
is Django's own check (the reference path).
"""

from __future__ import annotations

import select

from django.db.backends.postgresql import base

from core.conf import fast_paths


def has_pending_input(fd: int) -> bool:
    """Whether the socket has data, an error or a hang-up waiting (never blocks)."""
    poller = select.poll()
    poller.register(fd, select.POLLIN | select.POLLPRI | select.POLLERR | select.POLLHUP)
    return bool(poller.poll(0))


class DatabaseWrapper(base.DatabaseWrapper):
    def is_usable(self) -> bool:
        connection = self.connection
        if (
            fast_paths()
            and connection is not None
            and not connection.closed
            and not connection.broken
            and not has_pending_input(connection.fileno())
        ):
            return True  # quiet: nothing can have closed it
        usable: bool = super().is_usable()
        return usable
