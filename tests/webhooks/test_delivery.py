"""The outbox and delivery flow in-process, against a real receiver on loopback."""

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from accounts.models import AuditLogEntry
from tests.webhooks.conftest import docs_snippet, parsed
from webhooks import events
from webhooks.keys import public_keys
from webhooks.models import Delivery, Subscription
from webhooks.services import delivering, emitting

pytestmark = pytest.mark.django_db


@pytest.fixture
def subscription(user, receiver, loopback_allowed):
    return Subscription.objects.create(user=user, url=receiver.url, events=["repo:create", "repo:delete"])


def emit(user, event="repo:create", payload=None):
    with transaction.atomic():
        return emitting.event_emit(user_id=user.pk, event=events.get(event), payload=payload or {"id": 1})


def send_due():
    Delivery.objects.filter(next_attempt__isnull=False).update(next_attempt=timezone.now())
    return delivering.deliveries_pump().sent


def send_event(event):
    """What the task enqueued after the event's commit does: its deliveries first, then anything due."""
    return delivering.deliveries_pump(ids=list(event.deliveries.values_list("pk", flat=True))).sent


def test_emit_writes_one_delivery_per_matching_enabled_subscription(
    user, subscription, receiver, django_capture_on_commit_callbacks
):
    Subscription.objects.create(user=user, url=receiver.url, events=["ssh-key:add"])
    Subscription.objects.create(user=user, url=receiver.url, events=["repo:create"], enabled=False)
    with django_capture_on_commit_callbacks() as callbacks:
        event = emit(user)
    assert Delivery.objects.filter(event=event).count() == 1
    assert len(callbacks) == 1  # one task per event, whatever the number of subscriptions


def test_a_rolled_back_change_sends_nothing(user, subscription, receiver):
    with pytest.raises(RuntimeError), transaction.atomic():
        emitting.event_emit(user_id=user.pk, event=events.get("repo:create"), payload={"id": 1})
        raise RuntimeError
    assert not Delivery.objects.exists()
    assert delivering.deliveries_pump().sent == 0 and receiver.requests == []


def test_a_delivery_is_signed_and_verifies(user, subscription, receiver):
    event = emit(user, payload={"id": 7})
    assert send_event(event) == 1
    (request,) = receiver.requests
    keys = [key["public_key"] for key in public_keys()]
    snippet = docs_snippet()
    assert snippet["verify_sourcehut"](request["headers"], request["body"], keys)
    assert snippet["verify_standard"](request["headers"], request["body"], keys)
    assert parsed(request) == {"id": 7}  # the resource itself; the event travels in a header
    assert request["headers"]["X-Webhook-Event"] == "repo:create"
    delivery = Delivery.objects.get()
    assert (delivery.response_status, delivery.attempts, delivery.next_attempt) == (200, 1, None)
    assert request["headers"]["X-Webhook-Delivery"] == str(delivery.uuid)
    assert request["body"] == delivery.body.encode()


def test_500_then_200_is_retried_and_every_attempt_logged(user, subscription, receiver):
    receiver.script = [(500, b"boom", {}, 0), (503, b"busy", {}, 0)]
    event = emit(user)
    send_event(event)
    delivery = Delivery.objects.get()
    assert delivery.response_status == Delivery.PENDING and delivery.next_attempt is not None
    assert 0.5 <= (delivery.next_attempt - timezone.now()).total_seconds() <= 1.5  # schedule [1, 1, 1] +-20 %
    assert delivering.deliveries_pump().sent == 0  # not due yet
    send_due()
    send_due()
    delivery.refresh_from_db()
    assert (delivery.response_status, delivery.attempts) == (200, 3)
    assert list(delivery.attempt_log.order_by("id").values_list("response_status", flat=True)) == [500, 503, 200]
    ids = {request["headers"]["X-Webhook-Delivery"] for request in receiver.requests}
    assert ids == {str(delivery.uuid)}


def test_retries_run_out_and_no_answer_is_minus_one(user, subscription, settings):
    settings.WEBHOOKS = {**settings.WEBHOOKS, "RETRY_SCHEDULE": [1]}
    Subscription.objects.filter(pk=subscription.pk).update(url="http://127.0.0.1:9/closed")
    emit(user)
    for _ in range(3):
        send_due()
    delivery = Delivery.objects.get()
    assert (delivery.response_status, delivery.attempts, delivery.next_attempt) == (-1, 2, None)


def test_retry_after_is_honoured(user, subscription, receiver):
    receiver.script = [(429, b"", {"Retry-After": "600"}, 0)]
    send_event(emit(user))
    next_attempt = Delivery.objects.get().next_attempt
    assert next_attempt is not None
    delay = (next_attempt - timezone.now()).total_seconds()
    assert 590 <= delay <= 601


def test_410_disables_at_once(user, subscription, receiver):
    receiver.script = [(410, b"gone", {}, 0)]
    send_event(emit(user))
    subscription.refresh_from_db()
    assert not subscription.enabled and "410" in subscription.disabled_reason
    assert AuditLogEntry.objects.filter(user=user, action="webhook:disable").exists()
    emit(user)
    assert Delivery.objects.count() == 1  # a disabled subscription gets nothing new


def test_consecutive_failures_disable_and_audit(user, subscription, receiver, settings):
    settings.WEBHOOKS = {**settings.WEBHOOKS, "DISABLE_AFTER_FAILURES": 2}
    receiver.script = [(400, b"no", {}, 0), (400, b"no", {}, 0)]
    send_event(emit(user))
    subscription.refresh_from_db()
    assert subscription.enabled and subscription.consecutive_failures == 1
    send_event(emit(user))
    subscription.refresh_from_db()
    assert not subscription.enabled
    assert AuditLogEntry.objects.get(user=user, action="webhook:disable").details.endswith(
        "2 consecutive deliveries failed"
    )


def test_a_leased_attempt_is_not_sent_twice(user, subscription, receiver):
    emit(user)
    delivery = Delivery.objects.get()
    assert delivering.deliveries_lease([delivery.pk]) != []
    assert delivering.deliveries_pump(ids=[delivery.pk]).sent == 0  # another worker holds it
    assert receiver.requests == []
    Delivery.objects.filter(pk=delivery.pk).update(leased_until=timezone.now() - timedelta(seconds=1))
    assert delivering.deliveries_pump(ids=[delivery.pk]).sent == 1  # an expired lease is taken over


def test_redeliver_sends_the_same_id_and_body(user, subscription, receiver, django_capture_on_commit_callbacks):
    send_event(emit(user))
    delivery = Delivery.objects.get()
    emitting.delivery_redeliver(delivery=delivery)
    delivering.deliveries_pump(ids=[delivery.pk])
    first, second = receiver.requests
    assert first["body"] == second["body"]
    assert first["headers"]["webhook-id"] == second["headers"]["webhook-id"] == str(delivery.uuid)


def test_a_stored_url_in_a_legacy_ipv4_form_is_refused_for_good(user, receiver, loopback_allowed):
    """A subscription made before subscribing refused ``127.1``: its delivery is refused at once
    (final, never sent) instead of failing as "not a canonical IPv4 address" and waiting for retries."""
    port = receiver.url.split(":")[2].split("/")[0]
    Subscription.objects.create(user=user, url=f"http://127.1:{port}/hook", events=["repo:create"])
    send_event(emit(user))
    delivery = Delivery.objects.get()
    assert delivery.next_attempt is None and delivery.response_status != Delivery.PENDING
    assert "not a canonical IPv4 address" in delivery.response and receiver.requests == []
