"""Celery's configuration that is the same on every machine (the broker's URL is in settings).

A broker outage must cost a request nothing (the outbox's sweeper catches up): publishing
tries once, with a short connect timeout, and never retries; a worker reconnects quickly
(config.celery.BrokerConnection reads the intervals below) and for as long as the broker
is away. Tasks are acknowledged late and re-queued when a worker dies.
"""

from __future__ import annotations

from typing import Any

BROKER_TRANSPORT_OPTIONS: dict[str, Any] = {
    "socket_connect_timeout": 0.5,
    "socket_timeout": 5,
    "max_retries": 0,  # publishing (a request's enqueue, beat): one connection attempt, no retry
    # the worker reconnects 0.25 s, then every 0.5 s, after losing the broker
    "interval_start": 0.25,
    "interval_step": 0.25,
    "interval_max": 0.5,
}

OPTIONS: dict[str, Any] = {
    "task_acks_late": True,
    "task_reject_on_worker_lost": True,
    "worker_prefetch_multiplier": 1,
    "task_ignore_result": True,
    "broker_connection_retry_on_startup": True,
    "broker_connection_max_retries": None,  # a worker reconnects for as long as the broker is away
    "broker_connection_timeout": 0.5,
    "task_publish_retry": False,
    "timezone": "UTC",
}
