"""One Redis client per process, reused across requests (a new client per call costs a
connection set-up each time). Short socket timeouts: a dead Redis costs milliseconds."""

from __future__ import annotations

from functools import cache

import redis
from django.conf import settings


@cache
def get_redis() -> redis.Redis:
    return redis.Redis.from_url(
        settings.REDIS_URL,
        socket_timeout=settings.REDIS_SOCKET_TIMEOUT,
        socket_connect_timeout=settings.REDIS_SOCKET_TIMEOUT,
        health_check_interval=0,
        retry_on_timeout=False,
    )
