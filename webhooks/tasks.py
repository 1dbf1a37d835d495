"""Celery tasks: thin, they call the delivery engine. Each runs a pump that sends everything
due at full speed; one that runs out of time enqueues its successor, so a backlog keeps
draining without waiting for the next sweep."""

from __future__ import annotations

import logging

from celery import shared_task

from webhooks.services import delivering

logger = logging.getLogger("webhooks")


def _pump() -> int:
    stats = delivering.deliveries_pump()
    if stats.more_due:
        deliver_pump_task.apply_async(retry=False)
    return stats.sent


@shared_task(acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def deliver_event_task(event_id: int) -> int:
    """Enqueued after an event commits: sends its deliveries, and whatever else is due."""
    return _pump()


@shared_task(acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def deliver_task(delivery_id: int) -> int:
    """Enqueued by a redelivery or a test delivery: sends it, and whatever else is due."""
    return _pump()


@shared_task(acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def deliver_pump_task() -> int:
    """Sends whatever is due (a replay, a backlog a previous pump handed over)."""
    return _pump()


@shared_task(ignore_result=True)
def sweep_deliveries_task() -> int:
    """Beat-scheduled: sends retries that are due and anything a lost task left behind."""
    sent = _pump()
    log = logger.info if sent else logger.debug
    log("sweep sent %d due deliveries", sent)
    return sent
