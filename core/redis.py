"""One Redis client per process, reused across requests (a new client per call costs a
connection set-up each time). Short socket timeouts: a dead Redis costs milliseconds.

The client holds a single connection (``single_connection_client``) instead of taking one
from a pool and giving it back around every command: on the request path that bookkeeping
cost about 14 us of the rate limiter's 60 us round trip (issue #12). redis-py serialises
commands on it with a lock, so the threads of a process (the webhook engine's sender loop
beside its task) share it safely; pipelines still take pooled connections. A lost
connection is re-opened by the next command, as a pooled one would be, and a forked
process makes its own client (a pool checks the pid; a single connection does not).
"""

from __future__ import annotations

import os
import threading
from functools import cache

import redis
from django.conf import settings

from core import caches

_lock = threading.Lock()
_client: redis.Redis | None = None
_client_pid = 0  # a forked child (a Celery pool process) must not share its parent's socket


@cache
def _pool() -> redis.ConnectionPool:
    return redis.ConnectionPool.from_url(
        settings.REDIS_URL,
        socket_timeout=settings.REDIS_SOCKET_TIMEOUT,
        socket_connect_timeout=settings.REDIS_SOCKET_TIMEOUT,
        health_check_interval=0,
        retry_on_timeout=False,
    )


def _forget_client() -> None:
    global _client
    _client = None


caches.register(
    "redis-client",
    holds="the process's Redis client and its one connection (the rate limiter's script is cached in Redis)",
    bound="one client",
    invalidation="made again in a forked process; a lost connection is re-opened by the next command",
    clear=_forget_client,
)


def get_redis() -> redis.Redis:
    """The process's client. With Redis down, raises redis' ConnectionError (as a command would)
    until it is back."""
    global _client, _client_pid
    if _client is None or _client_pid != os.getpid():
        with _lock:
            if _client is None or _client_pid != os.getpid():
                # connects now: a down Redis raises here, the caller's except clause handles it
                # (the pool notices a fork itself and opens fresh connections in the child)
                _client = redis.Redis(connection_pool=_pool(), single_connection_client=True)
                _client_pid = os.getpid()
    return _client
