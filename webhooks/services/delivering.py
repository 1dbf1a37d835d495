"""The delivery engine: many deliveries in flight per worker, isolated per endpoint.

A :class:`Pump` leases due deliveries (``SKIP LOCKED`` and a lease, so no delivery is sent
twice at once), hands them to a :class:`~webhooks.transport.Sender` that keeps up to
``MAX_IN_FLIGHT`` requests in flight on an event loop, and records outcomes in batches
(one ``UPDATE ... FROM (VALUES ...)`` per batch). Database work stays on the calling
thread, in short transactions.

Isolation per endpoint (an origin, ``https://host:port``): at most
``MAX_IN_FLIGHT_PER_ORIGIN`` of its deliveries are leased at once by a process, so a slow
endpoint never holds a slot another endpoint's delivery could use; and a circuit breaker
(:mod:`webhooks.breaker`) postpones a dead endpoint's due deliveries to its next retry
time without attempting them, so it costs one timeout per backoff period.

A pump keeps leasing until nothing is due (or ``PUMP_SECONDS`` pass, when it hands over
to a new task), so a backlog drains at the engine's rate, not one batch per sweep.
"""

from __future__ import annotations

import concurrent.futures
import time
from collections import defaultdict, deque
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from webhooks import breaker
from webhooks.conf import WebhookSettings, webhook_settings
from webhooks.keys import get_signing_keys
from webhooks.models import Delivery
from webhooks.services.leasing import deliveries_lease, deliveries_postpone, due_ids
from webhooks.services.recording import Outcome, deliveries_record
from webhooks.signing import signature_headers
from webhooks.transport import DeliveryResult, Sender

__all__ = ["Pump", "PumpStats", "deliveries_lease", "deliveries_pump", "deliveries_record"]

FLUSH_EVERY = 0.2  # seconds between recordings of finished deliveries
FLUSH_SIZE = 100  # or as soon as this many have finished
IDLE_LEASE_DELAY = 0.25  # seconds between lease queries while nothing new was due
LEASE_EVERY = 0.1  # at most this often while every endpoint has deliveries waiting locally
QUEUE_FACTOR = 2  # a pump leases up to this many times an endpoint's in-flight cap, the rest waits locally


@dataclass
class PumpStats:
    sent: int = 0
    postponed: int = 0
    leases: int = 0
    more_due: bool = False  # stopped by the deadline with deliveries still due


class Pump:
    """Lease, send concurrently, record; ``ids`` first, then anything due, until nothing is or the deadline.

    A pump leases up to ``QUEUE_FACTOR`` times an endpoint's in-flight cap and sends from a
    local queue per endpoint as its slots free up, so a lease query serves many sends.
    """

    def __init__(self, *, ids: list[int] | None = None, seconds: float | None = None) -> None:
        self.conf: WebhookSettings = webhook_settings()
        self.ids = ids
        self.deadline = time.monotonic() + (seconds if seconds is not None else self.conf.PUMP_SECONDS)
        self.in_flight: dict[concurrent.futures.Future[DeliveryResult], tuple[Delivery, dict[str, str]]] = {}
        self.flying: dict[str, int] = defaultdict(int)  # in flight per origin
        self.waiting: dict[str, deque[Delivery]] = defaultdict(deque)  # leased, not yet sent, per origin
        self.tripped: frozenset[str] = frozenset()
        self.suspect: set[str] = set()  # endpoints whose last attempt got no answer: one at a time
        self.finished: list[Outcome] = []
        self.stats = PumpStats()

    def held(self) -> int:
        return len(self.in_flight) + sum(len(queue) for queue in self.waiting.values())

    def run(self) -> PumpStats:
        conf = self.conf
        self.keys = get_signing_keys()
        options: dict[str, Any] = {
            "allowed_networks": conf.allowed_networks, "connect_timeout": conf.CONNECT_TIMEOUT,
            "total_timeout": conf.TOTAL_TIMEOUT, "max_response_bytes": conf.MAX_RESPONSE_BYTES,
            "max_connections": conf.MAX_IN_FLIGHT, "per_origin": conf.MAX_IN_FLIGHT_PER_ORIGIN,
        }  # fmt: skip
        next_lease, last_flush = 0.0, time.monotonic()
        with Sender(**options) as sender:
            while True:
                now = time.monotonic()
                if now >= self.deadline:
                    self.stats.more_due = True  # hand over: the caller enqueues another pump
                    self._release_waiting()
                    if not self.in_flight:
                        break
                elif self.held() < conf.MAX_IN_FLIGHT * QUEUE_FACTOR and (
                    not self.held() or now >= next_lease or self._starving()
                ):
                    leased = self._lease()
                    if not leased and self.ids is not None:
                        self.ids = None  # those asked for first are leased (or not due): now anything due
                        leased = self._lease()
                    if not leased and not self.held():
                        break  # nothing due that this pump may send
                    next_lease = now + (LEASE_EVERY if leased else IDLE_LEASE_DELAY)
                self._send_waiting(sender)
                if self.in_flight:
                    done, _ = concurrent.futures.wait(
                        list(self.in_flight), timeout=FLUSH_EVERY, return_when=concurrent.futures.FIRST_COMPLETED
                    )
                    for future in done:
                        delivery, headers = self.in_flight.pop(future)
                        self.flying[delivery.origin] -= 1
                        result = future.result()
                        if result.status is None and not result.refused:
                            self.suspect.add(delivery.origin)
                        elif result.status is not None:
                            self.suspect.discard(delivery.origin)
                        self.finished.append((delivery, headers, result))
                if self.finished and (
                    not self.in_flight
                    or len(self.finished) >= FLUSH_SIZE
                    or time.monotonic() - last_flush >= FLUSH_EVERY
                ):
                    self._flush()
                    last_flush = time.monotonic()
        self._flush()
        return self.stats

    def _starving(self) -> bool:
        """An endpoint has a free slot and nothing waiting for it: lease now rather than later."""
        return any(
            not self.waiting[origin] and busy < self._cap(origin) for origin, busy in self.flying.items() if busy
        )

    def _cap(self, origin: str) -> int:
        """An endpoint's in-flight cap: one at a time while it is half-open or its last attempt failed."""
        if origin in self.tripped or origin in self.suspect:
            return 1
        return self.conf.MAX_IN_FLIGHT_PER_ORIGIN

    def _lease(self) -> int:
        breakers = breaker.breakers_read()
        self.tripped = breakers.tripped
        cap = self.conf.MAX_IN_FLIGHT_PER_ORIGIN * QUEUE_FACTOR
        held = {
            origin: self.flying[origin] + len(self.waiting[origin]) for origin in set(self.flying) | set(self.waiting)
        }
        room = {origin: max(0, cap - busy) for origin, busy in held.items() if busy}
        for origin in breakers.tripped:
            room[origin] = 0 if held.get(origin) else 1
        skip = set(breakers.open) | {origin for origin, free in room.items() if free <= 0}
        limit = self.conf.MAX_IN_FLIGHT * QUEUE_FACTOR - self.held()
        deliveries = deliveries_lease(due_ids(limit=limit, ids=self.ids, skip=skip, room=room, cap=cap))
        self.stats.leases += 1
        for delivery in deliveries:
            self.waiting[delivery.origin].append(delivery)
        return len(deliveries)

    def _send_waiting(self, sender: Sender) -> None:
        for origin, queue in self.waiting.items():
            while queue and self.flying[origin] < self._cap(origin) and len(self.in_flight) < self.conf.MAX_IN_FLIGHT:
                delivery = queue.popleft()
                body = delivery.body.encode()
                headers = signature_headers(
                    keys=self.keys, delivery_id=str(delivery.uuid), event=delivery.event_name, body=body,
                    timestamp=int(time.time()),
                )  # fmt: skip
                self.in_flight[sender.submit(delivery.url, body, headers)] = (delivery, headers)
                self.flying[origin] += 1

    def _release_waiting(self, origin: str | None = None, until: datetime | None = None) -> None:
        """Give back leased deliveries not yet sent (at the deadline, or when their breaker opens)."""
        origins = [origin] if origin is not None else list(self.waiting)
        ids = [delivery.pk for name in origins for delivery in self.waiting.pop(name, ())]
        if ids:
            updates: dict[str, Any] = {"leased_until": None}
            if until is not None:
                updates["next_attempt"] = until
            Delivery.objects.filter(pk__in=ids).update(**updates)

    def _flush(self) -> None:
        """Record finished deliveries and update the endpoints' breakers."""
        if not self.finished:
            return
        outcomes, self.finished = self.finished, []
        deliveries_record(outcomes)
        self.stats.sent += len(outcomes)
        answered = {d.origin for d, _, result in outcomes if result.status is not None}
        breaker.breakers_close(answered)
        opened: set[str] = set()
        for delivery, _, result in outcomes:  # connection failures and timeouts, one by one
            origin = delivery.origin
            if result.status is not None or result.refused or origin in answered or origin in opened:
                continue
            until = breaker.breaker_failure(
                origin, threshold=self.conf.BREAKER_THRESHOLD, schedule=tuple(self.conf.RETRY_SCHEDULE)
            )
            if until is not None:
                opened.add(origin)
                postponed_to = datetime.fromtimestamp(until, tz=UTC)
                self._release_waiting(origin, postponed_to)
                self.stats.postponed += deliveries_postpone(origin=origin, until=postponed_to)
                self.tripped = self.tripped | {origin}


# --------------------------------------------------------------- entry point


def deliveries_pump(*, ids: list[int] | None = None, seconds: float | None = None) -> PumpStats:
    """Send ``ids`` first (those due and not held by another worker), then everything else that
    is due, at full speed, until nothing is or ``seconds`` (``PUMP_SECONDS``) pass.

    The one way deliveries are sent: after a commit (the new deliveries' ids), by a redelivery,
    a test delivery or a replay, and by beat's sweep (no ids).
    """
    return Pump(ids=ids, seconds=seconds).run()
