"""The outbox: events and their deliveries are rows written in the caller's transaction."""

from __future__ import annotations

import json
import logging
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from accounts.services import audit_log_record
from webhooks.enqueue_breaker import EnqueueBreaker
from webhooks.events import EventType
from webhooks.models import Delivery, Event, Subscription
from webhooks.ssrf import origin_of
from webhooks.tasks import deliveries_pump_task

logger = logging.getLogger("webhooks")

TEST_EVENT = "webhook:test"
ENQUEUE_COOLDOWN = 1.0  # seconds without trying the broker after an enqueue failed
BROKER = EnqueueBreaker(cooldown=ENQUEUE_COOLDOWN)  # one per process


def encode(payload: dict[str, Any]) -> str:
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=False, sort_keys=True)


def event_emit(*, user_id: int, event: EventType, payload: dict[str, Any]) -> Event:
    """Record ``event`` and one delivery per enabled matching subscription, in the caller's transaction.

    If the transaction rolls back, the event and its deliveries go with it; after commit one
    pump task per event sends them first (the sweeper covers a task that is lost or never enqueued).
    """
    record = Event.objects.create(user_id=user_id, name=event.name, payload=payload)
    subscriptions = list(Subscription.objects.filter(user_id=user_id, enabled=True, events__contains=[event.name]))
    if subscriptions:
        body = encode(payload)  # sourcehut's rule: the resource as the API encodes it; the event is a header
        now = timezone.now()
        created = Delivery.objects.bulk_create(
            [
                Delivery(
                    subscription=sub,
                    event=record,
                    event_name=event.name,
                    url=sub.url,
                    origin=origin_of(sub.url),
                    body=body,
                    next_attempt=now,
                )  # fmt: skip
                for sub in subscriptions
            ]
        )
        ids = [delivery.pk for delivery in created]
        transaction.on_commit(lambda: enqueue(ids=ids))
    return record


def enqueue(*, ids: list[int] | None = None) -> bool:
    """Ask a worker to pump deliveries (``ids`` first); True if the broker took the task.

    An optimisation only: the rows are safe in PostgreSQL and beat's sweep sends whatever is
    due, so a broker outage is logged, never raised, and never waited for. One attempt, with
    the broker's short connect timeout and no retry (``CELERY_BROKER_*``); after a failure the
    process's breaker (:mod:`webhooks.enqueue_breaker`) skips the broker entirely for
    ``ENQUEUE_COOLDOWN`` seconds, then lets one attempt through.
    """
    if not BROKER.allow():
        logger.debug(
            "broker breaker open: %s(ids=%s) not enqueued; the sweeper will send it", deliveries_pump_task.name, ids
        )
        return False
    try:
        deliveries_pump_task.apply_async(kwargs={"ids": ids} if ids else {}, retry=False)
    except Exception as exc:  # kombu/redis errors
        BROKER.failure()
        logger.warning(
            "could not enqueue %s(ids=%s) (%s); the sweeper will send it", deliveries_pump_task.name, ids,
            type(exc).__name__,
        )  # fmt: skip
        return False
    BROKER.success()
    return True


def delivery_redeliver(*, delivery: Delivery) -> None:
    """Send the same delivery (same id, same body) again, now."""
    Delivery.objects.filter(pk=delivery.pk).update(
        next_attempt=timezone.now(), response_status=Delivery.PENDING, leased_until=None
    )
    transaction.on_commit(lambda: enqueue(ids=[delivery.pk]))


def test_payload(subscription: Subscription) -> dict[str, Any]:
    """The body of a ``webhook:test`` delivery: ``{"webhook": <subscription id>, "test": true}``."""
    return {"webhook": subscription.pk, "test": True}


def delivery_test(*, subscription: Subscription) -> Delivery:
    """A ``webhook:test`` delivery to one subscription."""
    delivery = Delivery.objects.create(
        subscription=subscription, event_name=TEST_EVENT, url=subscription.url, origin=origin_of(subscription.url),
        body=encode(test_payload(subscription)), next_attempt=timezone.now(),
    )  # fmt: skip
    transaction.on_commit(lambda: enqueue(ids=[delivery.pk]))
    return delivery


def deliveries_replay(*, subscription: Subscription, since: datetime, ip: str | None) -> int:
    """Send a subscription's failed deliveries created since ``since`` again (same ids, same bodies).

    Svix's "recover": after an outage of their own, integrators ask for what they missed.
    """
    failed = Delivery.objects.filter(subscription=subscription, created__gte=since, next_attempt__isnull=True).exclude(
        response_status__gte=200, response_status__lt=300
    )
    count = failed.update(next_attempt=timezone.now(), response_status=Delivery.PENDING, leased_until=None)
    audit_log_record(
        user_id=subscription.user_id, action="webhook:replay", ip=ip,
        details=f"{subscription.url}: {count} failed deliveries since {since.isoformat()}",
    )  # fmt: skip
    if count:
        transaction.on_commit(enqueue)
    return count
