"""Retention: finished deliveries (with their attempt log) and old events are removed by age.

The rows are found oldest first by primary key, ``batch_size`` at a time, and each batch is
deleted in its own short transaction, so a prune of millions of rows never holds a lock on
more than one batch of rows, never on a table, and the sender goes on meanwhile.

A delivery that is due (``next_attempt`` set: pending, retrying or leased) is never removed,
whatever its age, and neither is an event that still has one. A redelivery that makes an
old delivery due again between the look-up and the delete keeps it: every ``DELETE``
repeats the condition.

    >>> deliveries_prune(older_than=timedelta(days=30), batch_size=1000)
    12034
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.db import connection, transaction
from django.db.models import QuerySet
from django.utils import timezone

from webhooks.models import Delivery, DeliveryAttempt, Event, Subscription

DEFAULT_BATCH_SIZE = 1000


def deliveries_prune(*, older_than: timedelta, batch_size: int = DEFAULT_BATCH_SIZE) -> int:
    """Remove deliveries created before ``now - older_than`` that are no longer due, and their attempts."""
    cutoff = timezone.now() - older_than
    finished = Delivery.objects.filter(created__lt=cutoff, next_attempt__isnull=True)
    return _in_batches(finished.order_by("id").values_list("id", flat=True), batch_size, _delete_deliveries)


def events_prune(*, older_than: timedelta, batch_size: int = DEFAULT_BATCH_SIZE) -> int:
    """Remove events created before ``now - older_than`` that no due delivery needs.

    Deliveries of the event that are kept (younger ones, in a shorter retention) lose their
    link to it (``event`` is ``SET_NULL``); they keep their body, which is what was sent.
    """
    cutoff = timezone.now() - older_than
    unneeded = Event.objects.filter(created__lt=cutoff).exclude(deliveries__next_attempt__isnull=False)
    return _in_batches(unneeded.order_by("id").values_list("id", flat=True), batch_size, _delete_events)


def _in_batches(ids_query: QuerySet[Any, int], batch_size: int, delete: Callable[[list[int]], int]) -> int:
    removed = 0
    while True:
        with transaction.atomic():
            ids = list(ids_query[:batch_size])
            if not ids:
                return removed
            removed += delete(ids)


def _delete_deliveries(ids: list[int]) -> int:
    # The foreign key from the attempt log is checked at commit (Django makes it deferrable),
    # so the deliveries go first and only the attempts of those actually removed follow.
    with connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {Delivery._meta.db_table} WHERE id = ANY(%s) AND next_attempt IS NULL RETURNING id", [ids]
        )
        removed = [row[0] for row in cursor.fetchall()]
    DeliveryAttempt.objects.filter(delivery_id__in=removed).delete()  # no relations: one DELETE
    return len(removed)


def _delete_events(ids: list[int]) -> int:
    table, deliveries = Event._meta.db_table, Delivery._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {table} WHERE id = ANY(%s) AND NOT EXISTS "
            f"(SELECT 1 FROM {deliveries} d WHERE d.event_id = {table}.id AND d.next_attempt IS NOT NULL) RETURNING id",
            [ids],
        )
        removed = [row[0] for row in cursor.fetchall()]
    Delivery.objects.filter(event_id__in=removed).update(event=None)
    return len(removed)


def webhooks_erase(*, user_id: int, batch_size: int = DEFAULT_BATCH_SIZE) -> dict[str, int]:
    """A deleted account's webhooks: every delivery (due ones too) with its attempts, every
    subscription, every event; in batches of ``batch_size``, each its own short transaction.
    How many of each went. A worker holding a lease on one of them records into nothing."""
    deliveries = Delivery.objects.filter(subscription__user_id=user_id).order_by("id").values_list("id", flat=True)
    subscriptions = Subscription.objects.filter(user_id=user_id).order_by("id").values_list("id", flat=True)
    events = Event.objects.filter(user_id=user_id).order_by("id").values_list("id", flat=True)
    return {
        "deliveries": _in_batches(deliveries, batch_size, _erase_deliveries),
        "subscriptions": _in_batches(subscriptions, batch_size, _erase(Subscription)),
        "events": _in_batches(events, batch_size, _erase(Event)),
    }


def _erase_deliveries(ids: list[int]) -> int:
    DeliveryAttempt.objects.filter(delivery_id__in=ids).delete()
    return Delivery.objects.filter(id__in=ids).delete()[1].get(Delivery._meta.label, 0)


def _erase(model: Any) -> Callable[[list[int]], int]:
    def delete(ids: list[int]) -> int:
        return int(model.objects.filter(id__in=ids).delete()[1].get(model._meta.label, 0))

    return delete
