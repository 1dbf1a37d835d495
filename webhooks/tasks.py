"""The one Celery task: it runs the delivery engine's pump, which sends the deliveries it is
given first and then everything else that is due, at full speed. A pump that runs out of
time enqueues its successor, so a backlog keeps draining without waiting for the next sweep.

Enqueued after commit (an event's new deliveries, a redelivery, a test delivery, a replay)
and by beat every ``WEBHOOK_SWEEP_INTERVAL`` seconds with ``sweep=True``.
"""

from __future__ import annotations

import logging

from celery import shared_task

from webhooks.services import delivering

logger = logging.getLogger("webhooks")


@shared_task(acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def deliveries_pump_task(ids: list[int] | None = None, sweep: bool = False) -> int:
    """Send ``ids`` first, then whatever else is due; ``sweep``: beat's run, logged at INFO only when it sent something."""
    stats = delivering.deliveries_pump(ids=ids)
    if stats.more_due:
        from webhooks.services.emitting import enqueue  # which imports this module

        enqueue()
    if sweep:
        log = logger.info if stats.sent else logger.debug
        log("sweep sent %d due deliveries", stats.sent)
    return stats.sent
