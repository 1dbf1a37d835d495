"""Retention: old finished deliveries, their attempts, events and audit entries go, in batches; nothing due does."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import AuditLogEntry
from accounts.services import audit_log_prune
from config.tasks import prune_task, retention_prune
from webhooks.models import Delivery, DeliveryAttempt, Event, Subscription
from webhooks.services.retention import deliveries_prune, events_prune

pytestmark = pytest.mark.django_db

DAYS = timedelta(days=30)


def aged(rows, days):
    """Backdate ``created`` (auto_now_add) of the given rows by ``days``."""
    type(rows[0]).objects.filter(pk__in=[row.pk for row in rows]).update(created=timezone.now() - timedelta(days=days))


@pytest.fixture
def subscription(user):
    return Subscription.objects.create(user=user, url="https://hooks.example.org/x", events=["repo:create"])


def make_delivery(subscription, *, status, days, attempts=1):
    """A delivery of a new event: ``status`` is "delivered", "failed" or "pending"; backdated ``days``."""
    event = Event.objects.create(user=subscription.user, name="repo:create", payload={"id": 1})
    delivery = Delivery.objects.create(
        subscription=subscription,
        event=event,
        event_name=event.name,
        url=subscription.url,
        origin="https://hooks.example.org:443",
        body="{}",
        response_status={"delivered": 200, "failed": 500, "pending": Delivery.PENDING}[status],
        attempts=attempts,
        next_attempt=timezone.now() if status == "pending" else None,
    )
    DeliveryAttempt.objects.bulk_create(
        DeliveryAttempt(delivery=delivery, response_status=delivery.response_status) for _ in range(attempts)
    )
    aged([event], days)
    aged([delivery], days)
    return delivery


def test_old_finished_deliveries_and_their_attempts_go_pending_and_young_ones_stay(subscription):
    old_delivered = make_delivery(subscription, status="delivered", days=40, attempts=2)
    old_failed = make_delivery(subscription, status="failed", days=40, attempts=3)
    old_pending = make_delivery(subscription, status="pending", days=400)
    young_failed = make_delivery(subscription, status="failed", days=10)
    young_delivered = make_delivery(subscription, status="delivered", days=1)

    assert deliveries_prune(older_than=DAYS, batch_size=1000) == 2

    kept = {old_pending.pk, young_failed.pk, young_delivered.pk}
    assert set(Delivery.objects.values_list("pk", flat=True)) == kept
    assert set(DeliveryAttempt.objects.values_list("delivery_id", flat=True)) == kept
    assert not DeliveryAttempt.objects.filter(delivery_id__in=[old_delivered.pk, old_failed.pk]).exists()


def test_old_events_go_unless_a_delivery_of_theirs_is_still_due(subscription, user):
    pending = make_delivery(subscription, status="pending", days=400)
    delivered_young = make_delivery(subscription, status="delivered", days=1)
    lonely_old = Event.objects.create(user=user, name="repo:create", payload={})
    aged([lonely_old], 31)
    old_with_kept_delivery = make_delivery(subscription, status="delivered", days=40)
    Delivery.objects.filter(pk=old_with_kept_delivery.pk).update(created=timezone.now())  # kept by its own age

    assert events_prune(older_than=DAYS, batch_size=1000) == 2

    assert set(Event.objects.values_list("pk", flat=True)) == {pending.event_id, delivered_young.event_id}
    kept = Delivery.objects.get(pk=old_with_kept_delivery.pk)
    assert kept.event_id is None and kept.body == "{}"  # the delivery keeps what was sent


def test_audit_entries_older_than_the_age_go(user):
    entries = [AuditLogEntry.objects.create(user=user, action="repo:create", ip=None) for _ in range(5)]
    aged(entries[:3], 366)
    aged(entries[3:4], 364)

    assert audit_log_prune(older_than=timedelta(days=365), batch_size=1000) == 3
    assert set(AuditLogEntry.objects.values_list("pk", flat=True)) == {entries[3].pk, entries[4].pk}


def deletes_of(captured, table):
    return [
        q["sql"] for q in captured.captured_queries if q["sql"].replace('"', "").startswith(f"DELETE FROM {table} ")
    ]


def test_pruning_runs_in_batches_of_the_given_size(subscription, user):
    for _ in range(5):
        make_delivery(subscription, status="delivered", days=40)
    entries = [AuditLogEntry.objects.create(user=user, action="x", ip=None) for _ in range(5)]
    aged(entries, 400)

    with CaptureQueriesContext(connection) as captured:
        assert deliveries_prune(older_than=DAYS, batch_size=2) == 5
        assert events_prune(older_than=DAYS, batch_size=2) == 5
        assert audit_log_prune(older_than=timedelta(days=365), batch_size=2) == 5

    # 5 rows in batches of 2: three DELETEs of each table, each of at most 2 ids.
    assert len(deletes_of(captured, Delivery._meta.db_table)) == 3
    assert len(deletes_of(captured, DeliveryAttempt._meta.db_table)) == 3
    assert len(deletes_of(captured, Event._meta.db_table)) == 3
    assert len(deletes_of(captured, AuditLogEntry._meta.db_table)) == 3


def test_a_batch_costs_a_fixed_number_of_statements(subscription, django_assert_max_num_queries):
    for _ in range(40):
        make_delivery(subscription, status="delivered", days=40, attempts=3)
    # One batch of 40: SELECT ids, DELETE deliveries, DELETE attempts, then the empty SELECT,
    # plus the savepoints of the two transactions inside the test's own.
    with django_assert_max_num_queries(8):
        assert deliveries_prune(older_than=DAYS, batch_size=1000) == 40


def test_prune_command_uses_the_settings_and_its_options(subscription, user, settings):
    settings.RETENTION = {"WEBHOOK_DAYS": 30, "AUDIT_LOG_DAYS": 365, "BATCH_SIZE": 1000}
    make_delivery(subscription, status="delivered", days=40)
    make_delivery(subscription, status="delivered", days=20)
    entry = AuditLogEntry.objects.create(user=user, action="x", ip=None)
    aged([entry], 100)

    out = StringIO()
    call_command("prune", stdout=out)
    assert out.getvalue().strip() == "removed 1 deliveries, 1 events, 0 audit_log, 0 idempotency_keys"

    out = StringIO()
    call_command("prune", "--webhook-days", "0", "--audit-log-days", "90", "--batch-size", "10", stdout=out)
    assert out.getvalue().strip() == "removed 0 deliveries, 0 events, 1 audit_log, 0 idempotency_keys"
    assert Delivery.objects.count() == 1  # 0 days keeps them


def test_prune_command_refuses_negative_ages():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("prune", "--webhook-days", "-1")


def test_beat_runs_the_prune_task_daily(settings, subscription):
    entry = settings.CELERY_BEAT_SCHEDULE["retention-prune"]
    assert entry["task"] == prune_task.name == "config.tasks.prune_task"
    schedule = entry["schedule"]  # once a day: one hour, one minute, every day
    assert (len(schedule.hour), len(schedule.minute), len(schedule.day_of_week), len(schedule.day_of_month)) == (
        1, 1, 7, 31,
    )  # fmt: skip
    make_delivery(subscription, status="delivered", days=31)
    assert prune_task() == {"deliveries": 1, "events": 1, "audit_log": 0, "idempotency_keys": 0}
    assert retention_prune() == {"deliveries": 0, "events": 0, "audit_log": 0, "idempotency_keys": 0}
