"""The delivery engine against real receivers on loopback: concurrency, isolation per
endpoint, circuit breakers, final outcomes, backlogs. Pinned by counts and order, never seconds."""

from __future__ import annotations

import time

import pytest
from django.utils import timezone

from tests.webhooks.conftest import DeadReceiver, Receiver
from webhooks import breaker
from webhooks.models import Delivery, DeliveryAttempt, Subscription
from webhooks.services import delivering
from webhooks.ssrf import origin_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def engine_settings(settings, loopback_allowed):
    settings.WEBHOOKS = {
        **settings.WEBHOOKS, "ALLOWED_NETWORKS": "127.0.0.0/8", "RETRY_SCHEDULE": [600, 600, 600],
        "MAX_IN_FLIGHT_PER_ORIGIN": 4, "BREAKER_THRESHOLD": 2, "TOTAL_TIMEOUT": 3.0, "CONNECT_TIMEOUT": 1.0,
    }  # fmt: skip
    return settings.WEBHOOKS


@pytest.fixture
def journal():
    return []


@pytest.fixture
def receivers(journal):
    made: list = []

    def make(kind: str = "fast", **options):
        server = DeadReceiver(journal, name=kind) if kind == "dead" else Receiver(journal=journal, name=kind, **options)
        made.append(server)
        return server

    yield make
    for server in made:
        server.close()


def due(user, url: str, count: int) -> list[Delivery]:
    subscription = Subscription.objects.create(user=user, url=url, events=["repo:create"])
    now = timezone.now()
    return Delivery.objects.bulk_create(
        Delivery(subscription=subscription, event_name="repo:create", url=url, origin=origin_of(url),
                 body=f'{{"id":{i}}}', next_attempt=now)
        for i in range(count)
    )  # fmt: skip


def test_fast_deliveries_all_arrive_before_a_dead_endpoints_first_timeout(user, engine_settings, receivers, journal):
    fast, dead = receivers("fast"), receivers("dead")
    due(user, dead.url, 2)
    due(user, fast.url, 30)
    stats = delivering.deliveries_pump(seconds=30)
    assert stats.sent == 32
    first_close = journal.index(("dead", "closed"))  # the dead endpoint's first attempt timing out
    assert journal[:first_close].count(("fast", "request")) == 30
    assert Delivery.objects.filter(url=fast.url, response_status=200).count() == 30


def test_an_endpoint_never_has_more_than_its_cap_in_flight(user, engine_settings, receivers):
    slow = receivers("slow", delay=0.3)
    due(user, slow.url, 12)
    assert delivering.deliveries_pump(seconds=30).sent == 12
    assert slow.peak == 4 and len(slow.requests) == 12


def test_a_dead_endpoint_costs_one_attempt_per_backoff_period(user, engine_settings, receivers):
    dead = receivers("dead")
    deliveries = due(user, dead.url, 10)
    delivering.deliveries_pump(seconds=30)
    origin = origin_of(dead.url)
    first_wave = DeliveryAttempt.objects.filter(delivery__origin=origin).count()
    assert first_wave == 4  # the in-flight cap: the breaker opened on those timeouts
    untouched = Delivery.objects.filter(origin=origin, attempts=0)
    assert untouched.count() == 6
    assert all(d.next_attempt and d.next_attempt > timezone.now() for d in untouched)  # postponed, not attempted
    assert Subscription.objects.get().consecutive_failures == 0  # postponements are not failures
    assert delivering.deliveries_pump(seconds=5).sent == 0  # open: nothing is leased
    # The backoff period passes: one probe, which fails and opens the breaker again, for longer.
    Delivery.objects.filter(origin=origin).update(next_attempt=timezone.now())
    breaker.get_redis().zadd(breaker.OPEN, {origin: time.time() - 1})
    assert delivering.deliveries_pump(seconds=30).sent == 1
    assert DeliveryAttempt.objects.filter(delivery__origin=origin).count() == first_wave + 1
    assert origin in breaker.breakers_read().open
    assert len(deliveries) == 10


def test_any_answer_closes_a_breaker(user, engine_settings, receivers):
    fast = receivers("fast")
    origin = origin_of(fast.url)
    breaker.breaker_failure(origin, threshold=1, schedule=(600,))
    breaker.get_redis().zadd(breaker.OPEN, {origin: time.time() - 1})  # half-open
    due(user, fast.url, 3)
    assert delivering.deliveries_pump(seconds=30).sent == 3
    assert breaker.breakers_read() == breaker.Breakers()


@pytest.mark.parametrize(("allowed", "status"), [("", None), ("127.0.0.0/8", 404), ("127.0.0.0/8", 400)])
def test_a_refused_or_4xx_delivery_is_final_after_one_attempt(user, settings, receivers, allowed, status):
    settings.WEBHOOKS = {**settings.WEBHOOKS, "ALLOWED_NETWORKS": allowed, "RETRY_SCHEDULE": [1, 1, 1]}
    fast = receivers("fast")
    if status is not None:
        fast.script = [(status, b"no", {}, 0)]
    (delivery,) = due(user, fast.url, 1)
    delivering.deliveries_pump(seconds=10)
    delivery.refresh_from_db()
    assert (delivery.attempts, delivery.next_attempt) == (1, None)
    assert delivery.response_status == (status if status is not None else Delivery.NO_ANSWER)
    if status is None:
        assert delivery.response.startswith("refused:") and fast.requests == []


def test_a_backlog_drains_in_one_pump_with_no_delivery_sent_twice(user, engine_settings, receivers):
    fast = receivers("fast")
    due(user, fast.url, 600)
    stats = delivering.deliveries_pump(seconds=120)
    assert stats.sent == 600 and not stats.more_due
    ids = [request["headers"]["X-Webhook-Delivery"] for request in fast.requests]
    assert len(ids) == len(set(ids)) == 600
    assert not Delivery.objects.filter(next_attempt__isnull=False).exists()


def test_a_pump_sends_the_ids_it_was_given_first_then_everything_else_due(user, engine_settings, receivers):
    slow = receivers("slow", delay=0.05)
    backlog = due(user, slow.url, 8)  # older: a plain pump would send these first
    (new,) = due(user, slow.url, 1)
    stats = delivering.deliveries_pump(ids=[new.pk], seconds=30)
    assert stats.sent == 9 and not stats.more_due
    order = [request["headers"]["X-Webhook-Delivery"] for request in slow.requests]
    assert order[0] == str(Delivery.objects.get(pk=new.pk).uuid)
    assert set(order[1:]) == {str(d.uuid) for d in Delivery.objects.filter(pk__in=[d.pk for d in backlog])}
