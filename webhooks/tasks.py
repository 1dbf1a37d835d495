"""Celery tasks: thin, they load by id and call the services."""

from __future__ import annotations

from celery import shared_task

from webhooks.services import delivering


@shared_task(acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def deliver_event_task(event_id: int) -> int:
    """One task per event: fans out to the event's subscriptions."""
    return delivering.deliver_event(event_id=event_id)


@shared_task(acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def deliver_task(delivery_id: int) -> bool:
    return delivering.delivery_attempt(delivery_id=delivery_id) is not None


@shared_task(ignore_result=True)
def sweep_deliveries_task() -> int:
    """Beat-scheduled: sends retries that are due and anything a lost task left behind."""
    return delivering.deliveries_sweep()
