"""``/settings/webhooks``: subscriptions and their deliveries, redeliver, test ping, replay; the API's
validation (catalogue, scopes, the SSRF guard), services and rate limit."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import AuditLogEntry
from tests.portal.pages.conftest import text
from tests.webhooks.conftest import Receiver
from webhooks.models import Delivery, Subscription
from webhooks.services.delivering import deliveries_pump

pytestmark = pytest.mark.django_db

URL = "/settings/webhooks"


@pytest.fixture
def loopback(settings):
    """Webhooks may reach loopback (as an operator allows for local development)."""
    settings.WEBHOOKS = {**settings.WEBHOOKS, "ALLOWED_NETWORKS": "127.0.0.0/8", "RETRY_SCHEDULE": [1, 1, 1]}


@pytest.fixture
def receiver():
    instance = Receiver()
    yield instance
    instance.close()


@pytest.fixture
def hook(user):
    return Subscription.objects.create(user=user, url="http://127.0.0.1:9/hook", events=["repo:create"])


def test_the_empty_list_says_what_to_do(alice):
    page = text(alice.get(URL))
    assert "You have no webhooks yet. Subscribe with the form above" in page
    assert 'name="events" value="repo:create"' in page and 'name="events" value="ssh-key:add"' in page


def test_subscribing(alice, user, loopback):
    done = alice.post(URL, {"url": "http://127.0.0.1:8765/hook", "events": ["repo:create", "ssh-key:add"]})
    assert done.status_code == 302 and done["Location"] == URL
    subscription = Subscription.objects.get(user=user)
    assert subscription.events == ["repo:create", "ssh-key:add"]
    page = text(alice.get(URL))
    assert "http://127.0.0.1:8765/hook" in page and f'href="/settings/webhooks/{subscription.pk}"' in page


@pytest.mark.parametrize(
    ("form", "field", "message"),
    [
        ({"url": "http://127.0.0.1:8765/hook", "events": []}, "events", "events may not be empty"),
        ({"url": "http://127.0.0.1:8765/hook", "events": ["repo:explode"]}, "events", "unknown event(s): repo:explode"),
        ({"url": "http://127.0.0.1:8765/hook", "events": ["repo:create"]}, "url", "127.0.0.1"),  # loopback refused
        ({"url": "ftp://x/", "events": ["repo:create"]}, "url", ""),
    ],
)
def test_bad_input_is_shown_on_the_page(alice, form, field, message):
    page = alice.post(URL, form)
    assert page.status_code == 200
    assert f'id="{field}-error"' in text(page) and message in text(page)
    assert not Subscription.objects.exists()


def test_pages_of_subscriptions(alice, user, per_page):
    for n in range(3):
        Subscription.objects.create(user=user, url=f"http://127.0.0.1:9/hook-{n}", events=["repo:create"])
    page = text(alice.get(URL))
    assert "hook-2" in page and "hook-1" in page and "hook-0" not in page and 'rel="next"' in page


def test_a_subscriptions_page_with_no_deliveries(alice, hook):
    page = text(alice.get(f"{URL}/{hook.pk}"))
    assert "Nothing was sent to this URL yet." in page and "Send test ping" in page


def test_test_ping_delivery_log_and_redeliver(alice, user, loopback, receiver):
    hook = Subscription.objects.create(user=user, url=receiver.url, events=["repo:create"])
    sent = alice.post(f"{URL}/{hook.pk}/test")
    assert sent.status_code == 302 and sent["Location"] == f"{URL}/{hook.pk}"
    delivery = Delivery.objects.get(subscription=hook)
    assert delivery.event_name == "webhook:test"
    deliveries_pump(ids=[delivery.pk])
    assert len(receiver.requests) == 1

    log = text(alice.get(f"{URL}/{hook.pk}"))
    assert f"/settings/webhooks/{hook.pk}/deliveries/{delivery.uuid}" in log and "delivered</span> (200)" in log
    page = text(alice.get(f"{URL}/{hook.pk}/deliveries/{delivery.uuid}"))
    body = json.dumps({"test": True, "webhook": hook.pk}, separators=(",", ":"))
    assert f"POST {receiver.url}" in page and f'<pre id="request-body">{body}</pre>' in page
    assert "X-Webhook-Event: webhook:test" in page and '<strong id="response-status">200</strong>' in page
    assert '<pre id="response-body">ok</pre>' in page

    again = alice.post(f"{URL}/{hook.pk}/deliveries/{delivery.uuid}/redeliver")
    assert again["Location"] == f"{URL}/{hook.pk}/deliveries/{delivery.uuid}"
    assert Delivery.objects.get().response_status == Delivery.PENDING
    deliveries_pump(ids=[delivery.pk])
    assert len(receiver.requests) == 2 and Delivery.objects.get().attempts == 2


def test_pages_of_deliveries(alice, hook, per_page):
    for n in range(3):
        Delivery.objects.create(subscription=hook, event_name=f"event-{n}", url=hook.url, origin="x", body="{}")
    page = text(alice.get(f"{URL}/{hook.pk}"))
    assert "event-2" in page and "event-1" in page and "event-0" not in page and 'rel="next"' in page


def test_replaying_failed_deliveries_since(alice, user, hook):
    failed = Delivery.objects.create(
        subscription=hook, event_name="repo:create", url=hook.url, origin="x", body="{}", response_status=500
    )
    since = (timezone.now() - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    done = alice.post(f"{URL}/{hook.pk}/replay", {"since": since}, follow=True)
    assert "1 failed deliveries since then are queued again." in text(done)
    failed.refresh_from_db()
    assert failed.response_status == Delivery.PENDING and failed.next_attempt is not None
    assert AuditLogEntry.objects.filter(user=user, action="webhook:replay").count() == 1
    bad = alice.post(f"{URL}/{hook.pk}/replay", {"since": "yesterday"})
    assert (
        bad.status_code == 200
        and 'id="since-error"' in text(bad)
        and "since must be an RFC 3339 date-time" in text(bad)
    )


def test_test_pings_count_in_the_apis_scope(alice, hook, rate_limits):
    rate_limits(webhook_test="1/3600+0")
    assert alice.post(f"{URL}/{hook.pk}/test").status_code == 302
    refused = alice.post(f"{URL}/{hook.pk}/test")
    assert refused.status_code == 429 and "You have done this too often" in text(refused)
    assert Delivery.objects.count() == 1


def test_deleting_a_subscription(alice, hook):
    assert f"Delete the subscription of {hook.url}?" in text(alice.get(f"{URL}/{hook.pk}/delete"))
    assert alice.post(f"{URL}/{hook.pk}/delete")["Location"] == URL
    assert not Subscription.objects.exists()


def test_changes_are_posts(alice, hook):
    delivery = Delivery.objects.create(subscription=hook, event_name="x", url=hook.url, origin="x", body="{}")
    assert alice.get(f"{URL}/{hook.pk}/test").status_code == 405
    assert alice.get(f"{URL}/{hook.pk}/replay").status_code == 405
    assert alice.get(f"{URL}/{hook.pk}/deliveries/{delivery.uuid}/redeliver").status_code == 405


def test_another_users_subscription_is_404(alice, other_user):
    theirs = Subscription.objects.create(user=other_user, url="http://127.0.0.1:9/", events=["repo:create"])
    delivery = Delivery.objects.create(subscription=theirs, event_name="x", url=theirs.url, origin="x", body="{}")
    since = {"since": "2020-01-01T00:00"}
    for path, data in [("/delete", None), ("/test", None), ("/replay", since),
                       (f"/deliveries/{delivery.uuid}/redeliver", None)]:  # fmt: skip
        assert alice.post(f"{URL}/{theirs.pk}{path}", data or {}).status_code == 404, path
    assert alice.get(f"{URL}/{theirs.pk}").status_code == 404
    assert alice.get(f"{URL}/{theirs.pk}/deliveries/{delivery.uuid}").status_code == 404
    assert alice.get(f"{URL}/{theirs.pk}/deliveries/not-a-uuid").status_code == 404
    assert Subscription.objects.filter(pk=theirs.pk).exists() and Delivery.objects.get().attempts == 0
