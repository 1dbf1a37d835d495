"""Scrape-time webhook metrics, read from the outbox in PostgreSQL (any worker's work counts).

Registered by ``WebhooksConfig.ready`` through ``core.metrics.register_collector``;
one query per scrape::

    apiservice_webhook_deliveries{state="pending"} 3.0
    apiservice_webhook_deliveries{state="delivered"} 1520.0
    apiservice_webhook_deliveries{state="failed"} 12.0
    apiservice_webhook_due_deliveries 1.0
    apiservice_webhook_oldest_due_delivery_age_seconds 4.2
"""

from __future__ import annotations

import logging
from collections.abc import Iterator

from django.db import DatabaseError, connection
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from webhooks.models import Delivery

logger = logging.getLogger("webhooks")


class DeliveryCollector(Collector):
    """Deliveries by state (the rows kept, see ``manage.py prune``), the due backlog and its oldest age."""

    def query(self) -> tuple[int, int, int, int, float | None]:
        table = Delivery._meta.db_table
        sql = (
            "SELECT count(*) FILTER (WHERE next_attempt IS NOT NULL), "
            "count(*) FILTER (WHERE next_attempt IS NULL AND response_status BETWEEN 200 AND 299), "
            "count(*) FILTER (WHERE next_attempt IS NULL AND response_status NOT BETWEEN 200 AND 299), "
            "count(*) FILTER (WHERE next_attempt <= statement_timestamp()), "
            f'EXTRACT(EPOCH FROM statement_timestamp() - min(next_attempt) FILTER (WHERE next_attempt <= statement_timestamp())) FROM "{table}"'
        )
        with connection.cursor() as cursor:
            cursor.execute(sql)
            pending, delivered, failed, due, oldest = cursor.fetchone()
        return pending, delivered, failed, due, float(oldest) if oldest is not None else None

    def collect(self) -> Iterator[GaugeMetricFamily]:
        try:
            pending, delivered, failed, due, oldest = self.query()
        except DatabaseError as exc:  # an outage must not break the scrape of every other metric
            logger.warning("webhook metrics unavailable: %s", type(exc).__name__)
            return
        states = GaugeMetricFamily(
            "apiservice_webhook_deliveries", "Webhook deliveries kept, by state.", labels=["state"]
        )
        for state, count in (("pending", pending), ("delivered", delivered), ("failed", failed)):
            states.add_metric([state], count)
        yield states
        yield GaugeMetricFamily(
            "apiservice_webhook_due_deliveries", "Deliveries whose next attempt is due now.", value=due
        )
        yield GaugeMetricFamily(
            "apiservice_webhook_oldest_due_delivery_age_seconds",
            "How long the oldest due delivery has been waiting (0 when none is due).",
            value=oldest or 0.0,
        )


COLLECTOR = DeliveryCollector()
