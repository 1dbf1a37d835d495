"""Sending deliveries: lease a batch (SKIP LOCKED), send, record every outcome in one statement."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from webhooks import policy
from webhooks.conf import webhook_settings
from webhooks.keys import get_signing_keys
from webhooks.models import Delivery, DeliveryAttempt, Subscription
from webhooks.services.subscriptions import subscription_after_failure
from webhooks.signing import signature_headers
from webhooks.transport import DeliveryResult, post_webhook

Outcome = tuple[Delivery, dict[str, str], DeliveryResult]
SEND_BATCH = 20  # small batches: leases stay short, retries spread over workers


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
            until = now + timedelta(seconds=webhook_settings().LEASE_SECONDS)
            Delivery.objects.filter(pk__in=[row.pk for row in rows]).update(leased_until=until)
    return rows


def deliveries_send(ids: list[int]) -> list[Delivery]:
    """Lease, send and record a batch: two short transactions for the whole batch."""
    deliveries = deliveries_lease(ids)
    if not deliveries:
        return []
    conf = webhook_settings()
    keys = get_signing_keys()
    outcomes: list[Outcome] = []
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
            allowed_networks=conf.allowed_networks,
            connect_timeout=conf.CONNECT_TIMEOUT,
            total_timeout=conf.TOTAL_TIMEOUT,
            max_response_bytes=conf.MAX_RESPONSE_BYTES,
        )
        outcomes.append((delivery, headers, result))
    deliveries_record(outcomes)
    return deliveries


def delivery_attempt(*, delivery_id: int) -> Delivery | None:
    """Send one attempt of a due delivery, record it, and schedule the next or finish."""
    sent = deliveries_send([delivery_id])
    return sent[0] if sent else None


def deliveries_record(outcomes: list[Outcome]) -> None:
    """Store each attempt, then decide per delivery: done, retry later, or failed."""
    conf = webhook_settings()
    now = timezone.now()
    attempts, succeeded_subscriptions, failures = [], set(), []
    for delivery, headers, result in outcomes:
        status = result.status
        outcome = policy.outcome_of(status)
        delivery.attempts += 1
        attempts.append(
            DeliveryAttempt(
                delivery=delivery, response_status=status, error=result.error or "", duration_ms=result.duration_ms
            )
        )
        delivery.payload_headers = headers
        delivery.response = result.body if status is not None else (result.error or "")
        delivery.response_headers = result.headers
        delay = None
        if outcome == "retry":
            delay = policy.retry_delay(
                delivery.attempts,
                schedule=conf.RETRY_SCHEDULE,
                jitter=conf.RETRY_JITTER,
                retry_after=result.retry_after,
                max_retry_after=conf.MAX_RETRY_AFTER,
            )
        if delay is not None:
            delivery.response_status = Delivery.PENDING
            delivery.next_attempt = now + timedelta(seconds=delay)
        else:
            delivery.next_attempt = None
            delivery.response_status = status if status is not None else Delivery.NO_ANSWER
        delivery.leased_until = None
        if outcome == "delivered":
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
            subscription_after_failure(subscription=delivery.subscription, final=final, status=status)


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


def deliver_event(*, event_id: int) -> int:
    """Send every due delivery of one event (the fan-out of one task); returns how many were sent."""
    ids = list(Delivery.objects.filter(event_id=event_id, next_attempt__isnull=False).values_list("pk", flat=True))
    return sum(len(deliveries_send(ids[start : start + SEND_BATCH])) for start in range(0, len(ids), SEND_BATCH))


def deliveries_sweep() -> int:
    """Send deliveries that are due and not held by a worker: retries, and anything a lost task left."""
    now = timezone.now()
    due = (
        Delivery.objects.filter(next_attempt__lte=now)
        .filter(Q(leased_until__isnull=True) | Q(leased_until__lt=now))
        .order_by("next_attempt")
        .values_list("pk", flat=True)[: webhook_settings().SWEEP_BATCH]
    )
    ids = list(due)
    return sum(len(deliveries_send(ids[start : start + SEND_BATCH])) for start in range(0, len(ids), SEND_BATCH))
