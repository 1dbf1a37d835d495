"""Handing deliveries to Celery: an optimisation a request never waits for, behind a breaker.

The breaker's core is a table; the rest runs on the real embedded Redis (stopped for the
outage tests), counting connection attempts at the socket.
"""

from __future__ import annotations

import base64
import json
import logging
import socket
import traceback

import pytest

from webhooks.enqueue_breaker import CLOSED, HALF_OPEN, OPEN, EnqueueBreaker
from webhooks.models import Delivery, Subscription
from webhooks.services import emitting
from webhooks.tasks import deliveries_pump_task


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


# ------------------------------------------------------------------ the core


@pytest.mark.parametrize(
    ("steps", "allowed", "state"),
    [
        ([], [True, True], CLOSED),
        (["success"], [True, True], CLOSED),
        (["failure"], [False, False], OPEN),  # open: nobody tries
        (["failure", ("wait", 0.99)], [False], OPEN),
        (["failure", ("wait", 1.0)], [True, False, False], HALF_OPEN),  # exactly one probe
        (["failure", ("wait", 1.0), "allow", "success"], [True, True], CLOSED),  # the probe got through
        (["failure", ("wait", 1.0), "allow", "failure"], [False], OPEN),  # it did not: open again
        (["failure", ("wait", 1.0), "allow", "failure", ("wait", 1.0)], [True, False], HALF_OPEN),
        (["failure", ("wait", 1.0), "allow", ("wait", 1.0)], [True, False], HALF_OPEN),  # a probe that never reported
        (["failure", "failure", ("wait", 5.0)], [True, False], HALF_OPEN),
    ],
)  # fmt: skip
def test_the_breaker_opens_on_a_failure_and_lets_one_attempt_through_per_cooldown(steps, allowed, state):
    clock = Clock()
    breaker = EnqueueBreaker(cooldown=1.0, clock=clock)
    for step in steps:
        if isinstance(step, tuple):
            clock.now += step[1]
        else:
            getattr(breaker, step)()
    assert [breaker.allow() for _ in allowed] == allowed
    assert breaker.state == state


# ------------------------------------------------------------- on real Redis


@pytest.fixture
def clock(monkeypatch):
    """The process's breaker, fresh and on a clock the test moves."""
    now = Clock()
    monkeypatch.setattr(emitting, "BROKER", EnqueueBreaker(cooldown=emitting.ENQUEUE_COOLDOWN, clock=now))
    return now


@pytest.fixture
def broker_connects(monkeypatch):
    """Connections the broker's client (kombu) attempts, counted at the socket."""
    attempts: list = []
    connect = socket.socket.connect

    def counting(sock, address):
        if any("/kombu/" in frame.filename for frame in traceback.extract_stack()):
            attempts.append(address)
        return connect(sock, address)

    monkeypatch.setattr(socket.socket, "connect", counting)
    return attempts


def queued_kwargs(redis_client) -> list:
    """The kwargs of the tasks waiting in the broker's queue, newest first."""
    bodies = []
    for raw in redis_client.lrange("celery", 0, -1):
        message = json.loads(raw)
        assert message["headers"]["task"] == deliveries_pump_task.name
        bodies.append(json.loads(base64.b64decode(message["body"]))[1])
    return bodies


def test_an_enqueue_hands_the_ids_to_one_pump_task(clock, redis_client):
    assert emitting.enqueue(ids=[3, 4]) and emitting.enqueue()
    assert queued_kwargs(redis_client) == [{}, {"ids": [3, 4]}]  # LPUSH: newest first


@pytest.mark.django_db
def test_with_the_broker_down_a_write_answers_and_tries_the_broker_once_per_cooldown(
    user, auth_headers, api_client, receiver, loopback_allowed, clock, stopped_redis, broker_connects,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    Subscription.objects.create(user=user, url=receiver.url, events=["repo:create"])

    def write(name: str) -> None:
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            response = api_client.post("/api/v1/repos", {"name": name}, format="json", **auth_headers)
        assert response.status_code == 201 and len(callbacks) == 1

    write("first")
    assert len(broker_connects) == 1 and emitting.BROKER.state == OPEN  # tried once, failed: open
    write("second")
    write("third")
    assert len(broker_connects) == 1  # open: no connection attempted at all
    clock.now += emitting.ENQUEUE_COOLDOWN
    write("fourth")
    assert len(broker_connects) == 2  # half-open: one probe, which fails
    write("fifth")
    assert len(broker_connects) == 2
    assert Delivery.objects.filter(next_attempt__isnull=False).count() == 5  # all in the outbox for the sweeper


def test_after_the_cooldown_one_enqueue_probes_the_returned_broker_and_closes_the_breaker(clock, redis_client):
    emitting.BROKER.failure()
    assert not emitting.enqueue(ids=[1])  # open: skipped, though the broker is up
    clock.now += emitting.ENQUEUE_COOLDOWN
    assert emitting.enqueue(ids=[2]) and emitting.BROKER.state == CLOSED
    assert emitting.enqueue(ids=[3])
    assert queued_kwargs(redis_client) == [{"ids": [3]}, {"ids": [2]}]


# ------------------------------------------------------------------ the task


@pytest.mark.django_db
def test_a_sweep_logs_at_info_only_when_it_sent_something(user, receiver, loopback_allowed, caplog):
    caplog.set_level(logging.DEBUG, logger="webhooks")
    assert deliveries_pump_task(sweep=True) == 0
    subscription = Subscription.objects.create(user=user, url=receiver.url, events=["repo:create"])
    emitting.delivery_test(subscription=subscription)  # due now
    assert deliveries_pump_task(sweep=True) == 1
    assert deliveries_pump_task(ids=[1]) == 0  # not a sweep: nothing to say
    lines = [(r.levelname, r.getMessage()) for r in caplog.records if r.name == "webhooks"]
    assert lines == [("DEBUG", "sweep sent 0 due deliveries"), ("INFO", "sweep sent 1 due deliveries")]


@pytest.mark.django_db
def test_a_pump_out_of_time_enqueues_its_successor(user, receiver, loopback_allowed, settings, clock, redis_client):
    settings.WEBHOOKS = {**settings.WEBHOOKS, "PUMP_SECONDS": 0}
    subscription = Subscription.objects.create(user=user, url=receiver.url, events=["repo:create"])
    emitting.delivery_test(subscription=subscription)  # due now
    assert deliveries_pump_task() == 0
    assert queued_kwargs(redis_client) == [{}]  # the successor sends everything due
