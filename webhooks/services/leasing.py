"""Leasing due deliveries: the oldest due, at most so many per endpoint, each held by one worker.

``SELECT ... FOR UPDATE SKIP LOCKED`` and a lease (``leased_until``) keep two workers from
sending the same delivery at once; a lease that runs out (a worker killed mid-send) lets
another take it over.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from webhooks.conf import webhook_settings
from webhooks.models import Delivery

SCAN_FACTOR = 4  # a lease looks at this many times as many of the oldest due rows as it may take


def relaxed_commit() -> None:
    """Delivery bookkeeping need not wait for the WAL flush: losing the last few milliseconds
    in a database crash can only cause a repeated attempt, which at-least-once allows."""
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL synchronous_commit TO OFF")


def due_ids(*, limit: int, ids: list[int] | None, skip: set[str], room: dict[str, int], cap: int) -> list[int]:
    """Ids of due, unleased deliveries, at most ``room.get(origin, cap)`` per origin, oldest first."""
    table = Delivery._meta.db_table
    where = "next_attempt <= %(now)s AND (leased_until IS NULL OR leased_until < %(now)s)"
    params: dict[str, Any] = {
        "skip": list(skip), "origins": list(room), "rooms": list(room.values()), "now": timezone.now(),
    }  # fmt: skip
    if ids is not None:
        where += " AND id = ANY(%(ids)s)"
        params["ids"] = ids
    # The oldest due rows only (the partial index delivery_due), so a lease costs the same
    # with 20,000 deliveries due as with 20.
    sql = f"""
        WITH oldest AS (
            SELECT id, origin, next_attempt FROM "{table}"
            WHERE {where} AND NOT (origin = ANY(%(skip)s))
            ORDER BY next_attempt, id LIMIT %(scan)s
        ), due AS (
            SELECT id, origin, next_attempt,
                   row_number() OVER (PARTITION BY origin ORDER BY next_attempt, id) AS rank
            FROM oldest
        ), room AS (
            SELECT * FROM unnest(%(origins)s::text[], %(rooms)s::int[]) AS r(origin, free)
        )
        SELECT due.id FROM due LEFT JOIN room USING (origin)
        WHERE due.rank <= COALESCE(room.free, %(cap)s)
        ORDER BY due.next_attempt, due.id LIMIT %(limit)s
    """
    params.update(cap=cap, limit=limit, scan=limit * SCAN_FACTOR)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [row[0] for row in cursor.fetchall()]


def deliveries_lease(ids: list[int], *, lease_seconds: int | None = None) -> list[Delivery]:
    """Take the due deliveries among ``ids`` that no other worker holds (SKIP LOCKED + lease)."""
    if not ids:
        return []
    now = timezone.now()
    with transaction.atomic():
        relaxed_commit()
        rows = list(
            Delivery.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("subscription")
            .filter(Q(leased_until__isnull=True) | Q(leased_until__lt=now), pk__in=ids, next_attempt__lte=now)
        )
        if rows:
            seconds = lease_seconds if lease_seconds is not None else webhook_settings().LEASE_SECONDS
            Delivery.objects.filter(pk__in=[row.pk for row in rows]).update(
                leased_until=now + timedelta(seconds=seconds)
            )
    return rows


def deliveries_postpone(*, origin: str, until: datetime) -> int:
    """A breaker opened: push the endpoint's due, unleased deliveries to ``until``, not attempted."""
    now = timezone.now()
    return (
        Delivery.objects.filter(origin=origin, next_attempt__lt=until)
        .filter(Q(leased_until__isnull=True) | Q(leased_until__lt=now))
        .update(next_attempt=until)
    )
