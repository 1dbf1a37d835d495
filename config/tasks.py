"""Retention (§6.6): beat runs :func:`prune_task` daily; ``manage.py prune`` runs the same.

Each app prunes its own rows (``webhooks.services.retention``, ``accounts.services``);
this top layer only reads the ages from ``settings.RETENTION`` and calls them in order:
deliveries first (so their events become free), then events, then the audit log. An age
of 0 days keeps those rows forever.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from celery import shared_task
from django.conf import settings

from accounts.services import audit_log_prune
from idempotency.services import idempotency_prune
from webhooks.services.retention import deliveries_prune, events_prune

logger = logging.getLogger("apiservice.retention")


def retention_prune(
    *, webhook_days: int | None = None, audit_log_days: int | None = None, batch_size: int | None = None
) -> dict[str, int]:
    """Remove what is older than its age (settings.RETENTION unless given); returns the count of each kind.

    >>> retention_prune(webhook_days=7)
    {'deliveries': 120, 'events': 80, 'audit_log': 0, 'idempotency_keys': 3}
    """
    conf = settings.RETENTION
    webhook_days = conf["WEBHOOK_DAYS"] if webhook_days is None else webhook_days
    audit_log_days = conf["AUDIT_LOG_DAYS"] if audit_log_days is None else audit_log_days
    batch = conf["BATCH_SIZE"] if batch_size is None else batch_size
    removed = {"deliveries": 0, "events": 0, "audit_log": 0, "idempotency_keys": 0}
    # Stored Idempotency-Key answers are only replayed for 24 hours; older ones are dead weight.
    removed["idempotency_keys"] = idempotency_prune(batch_size=batch)
    if webhook_days > 0:
        removed["deliveries"] = deliveries_prune(older_than=timedelta(days=webhook_days), batch_size=batch)
        removed["events"] = events_prune(older_than=timedelta(days=webhook_days), batch_size=batch)
    if audit_log_days > 0:
        removed["audit_log"] = audit_log_prune(older_than=timedelta(days=audit_log_days), batch_size=batch)
    return removed


@shared_task(ignore_result=True)
def prune_task() -> dict[str, int]:
    """Beat-scheduled daily (``CELERY_BEAT_SCHEDULE["retention-prune"]``)."""
    removed = retention_prune()
    logger.info("retention removed %s", ", ".join(f"{count} {kind}" for kind, count in removed.items()))
    return removed
