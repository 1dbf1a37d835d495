"""Webhook flows: the outbox (emit), sending with a lease, retries, disabling, redelivery.

Nothing is lost: every delivery is a row written in the transaction of the change that
causes it. After commit one Celery task per event sends its deliveries; if that task
never runs (broker down, worker killed, crash before enqueue), the beat-scheduled
sweeper finds the rows still due and sends them.
"""

from __future__ import annotations

import json
import logging
import random
from datetime import timedelta
from typing import Any

from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from webhooks import conf
from webhooks.keys import get_signing_keys
from webhooks.models import Delivery, DeliveryAttempt, Event, Subscription
from webhooks.signing import signature_headers
from webhooks.transport import DeliveryResult, post_webhook

logger = logging.getLogger("webhooks")

RETRYABLE_STATUSES = frozenset({408, 425, 429})
TEST_EVENT = "webhook:test"


def encode(payload: dict[str, Any]) -> str:
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=False, sort_keys=True)


def event_emit(*, user_id: int, event: str, payload: dict[str, Any]) -> Event:
    """Record ``event`` and one delivery per enabled matching subscription, in the caller's transaction.

    If the transaction rolls back, the event and its deliveries go with it; after commit one
    task per event sends them (the sweeper covers a task that is lost).
    """
    record = Event.objects.create(user_id=user_id, name=event, payload=payload)
    subscriptions = list(Subscription.objects.filter(user_id=user_id, enabled=True, events__contains=[event]))
    if subscriptions:
        body = encode({"event": event, "created": record.created.isoformat(timespec="seconds"), "payload": payload})
        now = timezone.now()
        Delivery.objects.bulk_create(
            [
                Delivery(subscription=sub, event=record, event_name=event, url=sub.url, body=body, next_attempt=now)
                for sub in subscriptions
            ]
        )
        transaction.on_commit(lambda: enqueue("webhooks.tasks.deliver_event_task", record.pk))
    return record


def enqueue(task_name: str, *args: Any) -> None:
    """Hand work to Celery; a broker outage is logged, never raised: the sweeper catches up."""
    from apiservice.celery import app

    try:
        app.send_task(task_name, args=args, retry=False)
    except Exception as exc:  # kombu/redis errors: the rows are safe in PostgreSQL
        logger.warning("could not enqueue %s%s (%s); the sweeper will send it", task_name, args, type(exc).__name__)


def _relaxed_commit() -> None:
    """Delivery bookkeeping need not wait for the WAL flush: losing the last few milliseconds
    in a database crash can only cause a repeated attempt, which at-least-once allows."""
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL synchronous_commit TO OFF")


def deliveries_lease(ids: list[int]) -> list[Delivery]:
    """Take the due deliveries among ``ids`` that no other worker holds (SKIP LOCKED + lease)."""
    now = timezone.now()
    with transaction.atomic():
        _relaxed_commit()
        rows = list(
            Delivery.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("subscription")
            .filter(Q(leased_until__isnull=True) | Q(leased_until__lt=now), pk__in=ids, next_attempt__lte=now)
        )
        if rows:
            until = now + timedelta(seconds=conf.get("LEASE_SECONDS"))
            Delivery.objects.filter(pk__in=[row.pk for row in rows]).update(leased_until=until)
    return rows


def delivery_lease(delivery_id: int) -> Delivery | None:
    rows = deliveries_lease([delivery_id])
    return rows[0] if rows else None


def deliveries_send(ids: list[int]) -> list[Delivery]:
    """Lease, send and record a batch: two short transactions for the whole batch."""
    deliveries = deliveries_lease(ids)
    if not deliveries:
        return []
    keys = get_signing_keys()
    outcomes = []
    for delivery in deliveries:
        body = delivery.body.encode()
        headers = signature_headers(
            keys=keys,
            delivery_id=str(delivery.uuid),
            event=delivery.event_name,
            body=body,
            timestamp=int(timezone.now().timestamp()),
        )
        result = post_webhook(
            delivery.url,
            body,
            headers,
            allowed_networks=conf.allowed_networks(),
            connect_timeout=conf.get("CONNECT_TIMEOUT"),
            total_timeout=conf.get("TOTAL_TIMEOUT"),
            max_response_bytes=conf.get("MAX_RESPONSE_BYTES"),
        )
        outcomes.append((delivery, headers, result))
    deliveries_record(outcomes)
    return deliveries


def delivery_attempt(*, delivery_id: int) -> Delivery | None:
    """Send one attempt of a due delivery, record it, and schedule the next or finish."""
    sent = deliveries_send([delivery_id])
    return sent[0] if sent else None


def retry_delay(attempts: int, retry_after: float | None) -> float | None:
    """Seconds until the next attempt after ``attempts`` tries, or None when they are used up."""
    schedule = conf.get("RETRY_SCHEDULE")
    if attempts > len(schedule):
        return None
    base = float(schedule[attempts - 1])
    jitter = conf.get("RETRY_JITTER")
    delay = base * random.uniform(1 - jitter, 1 + jitter)  # noqa: S311 - spreading load, not security
    if retry_after is not None:
        delay = max(delay, min(retry_after, conf.get("MAX_RETRY_AFTER")))
    return delay


def deliveries_record(outcomes: list[tuple[Delivery, dict[str, str], DeliveryResult]]) -> None:
    """Store each attempt, then decide per delivery: done, retry later, or failed."""
    now = timezone.now()
    attempts, succeeded_subscriptions, failures = [], set(), []
    for delivery, headers, result in outcomes:
        status = result.status
        succeeded = status is not None and 200 <= status < 300
        retryable = status is None or status >= 500 or status in RETRYABLE_STATUSES
        delivery.attempts += 1
        attempts.append(
            DeliveryAttempt(
                delivery=delivery, response_status=status, error=result.error or "", duration_ms=result.duration_ms
            )
        )
        delivery.payload_headers = headers
        delivery.response = result.body if status is not None else (result.error or "")
        delivery.response_headers = result.headers
        final = succeeded or not retryable or status == 410
        delay = None if final else retry_delay(delivery.attempts, result.retry_after)
        if delay is not None:
            delivery.response_status = Delivery.PENDING
            delivery.next_attempt = now + timedelta(seconds=delay)
        else:
            delivery.next_attempt = None
            delivery.response_status = status if status is not None else Delivery.NO_ANSWER
        delivery.leased_until = None
        if succeeded:
            succeeded_subscriptions.add(delivery.subscription_id)
        else:
            failures.append((delivery, delay is None, status))
    with transaction.atomic():
        _relaxed_commit()
        DeliveryAttempt.objects.bulk_create(attempts)
        deliveries_store([delivery for delivery, _, _ in outcomes])
        if succeeded_subscriptions:
            Subscription.objects.filter(pk__in=succeeded_subscriptions, consecutive_failures__gt=0).update(
                consecutive_failures=0
            )
        for delivery, final, status in failures:
            subscription_after(delivery=delivery, final=final, status=status)


def deliveries_store(deliveries: list[Delivery]) -> None:
    """One ``UPDATE ... FROM (VALUES ...)`` for a batch (Django's bulk_update builds CASE
    expressions per row and costs more CPU than the deliveries themselves)."""
    row = "(%s::bigint, %s::integer, %s::jsonb, %s::text, %s::jsonb, %s::integer, %s::timestamptz)"
    params: list[Any] = []
    for delivery in deliveries:
        params += [
            delivery.pk, delivery.attempts, json.dumps(delivery.payload_headers), delivery.response,
            json.dumps(delivery.response_headers), delivery.response_status, delivery.next_attempt,
        ]  # fmt: skip
    table = Delivery._meta.db_table
    sql = (
        f'UPDATE "{table}" AS d SET attempts = v.attempts, payload_headers = v.payload_headers, '
        "response = v.response, response_headers = v.response_headers, response_status = v.response_status, "
        "next_attempt = v.next_attempt, leased_until = NULL "
        f"FROM (VALUES {', '.join([row] * len(deliveries))}) "
        "AS v(id, attempts, payload_headers, response, response_headers, response_status, next_attempt) "
        "WHERE d.id = v.id"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def delivery_record(*, delivery: Delivery, headers: dict[str, str], result: DeliveryResult) -> None:
    deliveries_record([(delivery, headers, result)])


def subscription_after(*, delivery: Delivery, final: bool, status: int | None) -> None:
    """After a failed attempt: a 410, or too many failed deliveries in a row, disable the subscription (audited)."""
    subscription = delivery.subscription
    if status == 410:
        subscription_disable(subscription=subscription, reason="the receiver answered 410 Gone")
        return
    if not final:
        return
    Subscription.objects.filter(pk=subscription.pk).update(consecutive_failures=F("consecutive_failures") + 1)
    subscription.refresh_from_db(fields=["consecutive_failures"])
    limit = conf.get("DISABLE_AFTER_FAILURES")
    if subscription.enabled and subscription.consecutive_failures >= limit:
        subscription_disable(subscription=subscription, reason=f"{limit} consecutive deliveries failed")


def subscription_disable(*, subscription: Subscription, reason: str) -> None:
    from resources.services.audit import audit_log_record

    if not subscription.enabled:
        return
    subscription.enabled, subscription.disabled_reason = False, reason
    subscription.save(update_fields=["enabled", "disabled_reason"])
    Delivery.objects.filter(subscription=subscription, next_attempt__isnull=False).update(
        next_attempt=None, response_status=Delivery.NO_ANSWER
    )
    audit_log_record(
        user_id=subscription.user_id, action="webhook:disable", ip=None, details=f"{subscription.url}: {reason}"
    )


def deliver_event(*, event_id: int) -> int:
    """Send every due delivery of one event (the fan-out of one task); returns how many were sent."""
    ids = list(Delivery.objects.filter(event_id=event_id, next_attempt__isnull=False).values_list("pk", flat=True))
    return len(deliveries_send(ids))


def deliveries_sweep() -> int:
    """Send deliveries that are due and not held by a worker: retries, and anything a lost task left."""
    now = timezone.now()
    due = (
        Delivery.objects.filter(next_attempt__lte=now)
        .filter(Q(leased_until__isnull=True) | Q(leased_until__lt=now))
        .order_by("next_attempt")
        .values_list("pk", flat=True)[: conf.get("SWEEP_BATCH")]
    )
    ids = list(due)
    sent = 0
    for start in range(0, len(ids), 20):  # small batches: leases stay short, retries spread over workers
        sent += len(deliveries_send(ids[start : start + 20]))
    return sent


def delivery_redeliver(*, delivery: Delivery) -> None:
    """Send the same delivery (same id, same body) again, now."""
    Delivery.objects.filter(pk=delivery.pk).update(
        next_attempt=timezone.now(), response_status=Delivery.PENDING, leased_until=None
    )
    transaction.on_commit(lambda: enqueue("webhooks.tasks.deliver_task", delivery.pk))


def delivery_test(*, subscription: Subscription) -> Delivery:
    """A ``webhook:test`` delivery to one subscription."""
    body = encode({"event": TEST_EVENT, "created": timezone.now().isoformat(timespec="seconds"), "payload": {}})
    delivery = Delivery.objects.create(
        subscription=subscription, event_name=TEST_EVENT, url=subscription.url, body=body, next_attempt=timezone.now()
    )
    transaction.on_commit(lambda: enqueue("webhooks.tasks.deliver_task", delivery.pk))
    return delivery
