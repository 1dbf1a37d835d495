"""Emitting events: the outbox row is written inside the caller's transaction."""

from __future__ import annotations

from typing import Any

from webhooks.models import Event


def event_emit(*, user_id: int, event: str, payload: dict[str, Any]) -> Event:
    """Record ``event`` for the user. Call it inside the transaction of the change.

    If the transaction rolls back, the event (and everything it would send) goes with it.
    """
    return Event.objects.create(user_id=user_id, name=event, payload=payload)
