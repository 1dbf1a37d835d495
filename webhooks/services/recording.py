"""Recording attempts: each outcome decides done, retry later or final, in one batch statement."""

from __future__ import annotations

import json
import logging
from datetime import timedelta
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from webhooks import policy
from webhooks.conf import webhook_settings
from webhooks.models import Delivery, DeliveryAttempt, Subscription
from webhooks.services.leasing import relaxed_commit
from webhooks.services.subscriptions import subscription_after_failure
from webhooks.transport import DeliveryResult

logger = logging.getLogger("webhooks")

Outcome = tuple[Delivery, dict[str, str], DeliveryResult]


def deliveries_record(outcomes: list[Outcome]) -> None:
    """Store each attempt, then decide per delivery: done, retry later, or final."""
    if not outcomes:
        return
    conf = webhook_settings()
    now = timezone.now()
    attempts, succeeded_subscriptions, failures = [], set(), []
    for delivery, headers, result in outcomes:
        status = result.status
        outcome = policy.outcome_of(status, refused=result.refused)
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
            if outcome in ("final", "gone") or (outcome == "retry" and delay is None):
                logger.info(
                    "delivery %s to %s is final after %d attempt(s): %s",
                    delivery.uuid, delivery.origin, delivery.attempts, _why(outcome, status, result),
                )  # fmt: skip
        delivery.leased_until = None
        if outcome == "delivered":
            succeeded_subscriptions.add(delivery.subscription_id)
        else:
            failures.append((delivery, delay is None, status))
    with transaction.atomic():
        relaxed_commit()
        DeliveryAttempt.objects.bulk_create(attempts)
        deliveries_store([delivery for delivery, _, _ in outcomes])
        if succeeded_subscriptions:
            Subscription.objects.filter(pk__in=succeeded_subscriptions, consecutive_failures__gt=0).update(
                consecutive_failures=0
            )
        for delivery, final, status in failures:
            subscription_after_failure(subscription=delivery.subscription, final=final, status=status)


def _why(outcome: str, status: int | None, result: DeliveryResult) -> str:
    if result.refused:
        return result.error or "refused by the SSRF guard"
    if outcome == "gone":
        return "the receiver answered 410 Gone"
    if outcome == "final":
        return f"the receiver answered {status}, which is not retried"
    return f"every scheduled attempt failed (last: {status if status is not None else result.error})"


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
