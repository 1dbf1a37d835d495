"""The webhooks API: subscriptions, scopes, deliveries, redeliver, replay, test, catalogue, keys."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import AuditLogEntry
from webhooks.models import Delivery, Subscription

pytestmark = pytest.mark.django_db

# What the (patched) name service answers: tests ask no name server (tests/conftest.py);
# any other name is unknown. The network edge is patched, never the guard: subscribing
# still resolves and checks every address.
NAMES = {
    "hooks.example.org": ["93.184.216.34"],
    "internal.example.org": ["93.184.216.34", "10.0.0.7"],
    "metadata.example.org": ["169.254.169.254"],
    "loop.example.org": ["127.0.0.1"],
}


@pytest.fixture(autouse=True)
def names(name_service):
    return name_service(NAMES)


@pytest.fixture
def headers(user, headers_for):
    return headers_for(user)


def create(api_client, headers, **body):
    body = {"url": "https://hooks.example.org/x", "events": ["repo:create"]} | body
    return api_client.post("/api/v1/user/webhooks", body, format="json", **headers)


def test_create_list_get_delete(api_client, headers):
    response = create(api_client, headers)
    assert response.status_code == 201
    body = response.json()
    assert set(body) == {"id", "created", "events", "url"} and body["created"].endswith("+00:00")
    assert api_client.get("/api/v1/user/webhooks", **headers).json()["total"] == 1
    assert api_client.get(f"/api/v1/user/webhooks/{body['id']}", **headers).json() == body
    assert api_client.delete(f"/api/v1/user/webhooks/{body['id']}", **headers).status_code == 204


@pytest.mark.parametrize(
    ("body", "field"),
    [({"events": ["repo:explode"]}, "events"), ({"events": []}, "events"), ({"url": "ftp://x/"}, "url"),
     ({"url": "https://u:p@example.org/"}, "url"), ({"url": ""}, "url")],
)  # fmt: skip
def test_validation(api_client, headers, body, field):
    response = create(api_client, headers, **body)
    assert response.status_code == 400
    assert field in [error["field"] for error in response.json()["errors"]]


@pytest.mark.parametrize(
    "url",
    [
        "http://169.254.169.254/latest", "http://10.0.0.1/hook", "http://127.0.0.1:8080/", "http://[::1]/",
        "https://internal.example.org/hook", "https://metadata.example.org/", "https://loop.example.org/",
        "https://does-not-resolve.invalid/",
    ],
)  # fmt: skip
def test_subscribing_refuses_what_delivery_would_refuse(api_client, headers, url):
    response = create(api_client, headers, url=url)
    assert response.status_code == 400
    assert [error["field"] for error in response.json()["errors"]] == ["url"]
    assert not Subscription.objects.exists()


@pytest.mark.parametrize("host", ["127.1", "0x7f.1", "017700000001", "2130706433"])
def test_subscribing_refuses_legacy_ipv4_forms_that_delivery_would_refuse(api_client, headers, settings, host):
    """With 127.0.0.0/8 allowed, http://127.1:8765/ was accepted here and refused by the sender."""
    settings.WEBHOOKS = {**settings.WEBHOOKS, "ALLOWED_NETWORKS": "127.0.0.0/8"}
    response = create(api_client, headers, url=f"http://{host}:8765/")
    assert response.status_code == 400
    ((field, reason),) = [(error["field"], error["reason"]) for error in response.json()["errors"]]
    assert field == "url" and "not a canonical IPv4 address; write it as 127.0.0.1" in reason
    assert create(api_client, headers, url="http://127.0.0.1:8765/").status_code == 201


def test_subscribing_honours_the_allowed_networks(api_client, headers, settings):
    settings.WEBHOOKS = {**settings.WEBHOOKS, "ALLOWED_NETWORKS": "127.0.0.0/8"}
    assert create(api_client, headers, url="https://loop.example.org/").status_code == 201
    assert create(api_client, headers, url="http://10.0.0.1/hook").status_code == 400


def test_subscribing_needs_each_events_read_scope(api_client, user, headers_for):
    headers = headers_for(user, ["webhooks:write", "repos:read"])
    assert create(api_client, headers, events=["repo:create"]).status_code == 201
    response = create(api_client, headers, events=["ssh-key:add"])
    assert response.status_code == 403 and "keys:read" in response.json()["errors"][0]["reason"]


def test_another_users_webhook_is_404(api_client, headers, other_user):
    theirs = Subscription.objects.create(user=other_user, url="https://x.example/", events=["repo:create"])
    assert api_client.get(f"/api/v1/user/webhooks/{theirs.pk}", **headers).status_code == 404
    assert api_client.post(f"/api/v1/user/webhooks/{theirs.pk}/test", **headers).status_code == 404


def test_test_ping_and_delivery_log_and_redeliver(api_client, headers, django_capture_on_commit_callbacks):
    hook = create(api_client, headers).json()
    with django_capture_on_commit_callbacks() as callbacks:
        response = api_client.post(f"/api/v1/user/webhooks/{hook['id']}/test", **headers)
    assert response.status_code == 202 and len(callbacks) == 1
    uuid = response.json()["id"]
    page = api_client.get(f"/api/v1/user/webhooks/{hook['id']}/deliveries", **headers).json()
    (row,) = page["results"]
    assert set(row) == {"id", "created", "event", "url", "payload", "payload_headers", "response", "response_status",
                        "response_headers", "attempts", "next_attempt"}  # fmt: skip
    assert (row["id"], row["event"], row["response_status"], row["attempts"]) == (uuid, "webhook:test", -2, 0)
    assert isinstance(row["payload"], str)
    detail = api_client.get(f"/api/v1/user/webhooks/{hook['id']}/deliveries/{uuid}", **headers)
    assert detail.json() == row
    Delivery.objects.update(next_attempt=None, response_status=500)
    redeliver = api_client.post(f"/api/v1/user/webhooks/{hook['id']}/deliveries/{uuid}/redeliver", **headers)
    assert redeliver.status_code == 202
    assert Delivery.objects.get().response_status == -2
    assert (
        api_client.get(f"/api/v1/user/webhooks/{hook['id']}/deliveries/{uuid}/redeliver", **headers).status_code == 405
    )
    missing = "00000000-0000-0000-0000-000000000000"
    assert api_client.get(f"/api/v1/user/webhooks/{hook['id']}/deliveries/{missing}", **headers).status_code == 404


def test_catalogue_and_keys_are_public(api_client):
    events = {entry["event"]: entry for entry in api_client.get("/api/v1/webhooks/events").json()["events"]}
    assert set(events) == {"profile:update", "ssh-key:add", "ssh-key:remove", "pgp-key:add", "pgp-key:remove",
                           "repo:create", "repo:update", "repo:delete"}  # fmt: skip
    repo = events["repo:create"]["schema"]
    assert set(repo["required"]) == {"id", "created", "updated", "name", "owner", "description", "visibility"}
    assert events["repo:delete"]["schema"]["required"] == ["id"]
    keys = api_client.get("/api/v1/webhooks/keys").json()["keys"]
    assert keys and keys[0]["algorithm"] == "ed25519" and len(keys[0]["public_key"]) == 44


def test_catalogue_schema_validates_real_payloads(api_client, headers):
    jsonschema = pytest.importorskip("jsonschema")
    create(api_client, headers, url="https://hooks.example.org/y")
    api_client.post("/api/v1/repos", {"name": "validated"}, format="json", **headers)
    delivery = Delivery.objects.get(event_name="repo:create")
    schema = {e["event"]: e["schema"] for e in api_client.get("/api/v1/webhooks/events").json()["events"]}[
        "repo:create"
    ]
    jsonschema.validate(json.loads(delivery.body), schema)


def test_replay_requeues_failed_deliveries_since_a_time_with_the_same_ids(api_client, headers, user):
    hook = create(api_client, headers).json()
    subscription = Subscription.objects.get(pk=hook["id"])
    old, failed, delivered = (
        Delivery.objects.create(subscription=subscription, event_name="repo:create", url=subscription.url, body="{}",
                                response_status=status, next_attempt=None)
        for status in (500, -1, 200)
    )  # fmt: skip
    Delivery.objects.filter(pk=old.pk).update(created=timezone.now() - timedelta(days=2))
    since = (timezone.now() - timedelta(hours=1)).isoformat()
    response = api_client.post(f"/api/v1/user/webhooks/{hook['id']}/replay", {"since": since}, format="json", **headers)
    assert (response.status_code, response.json()) == (202, {"replayed": 1})
    failed.refresh_from_db()
    assert (failed.response_status, failed.next_attempt is not None) == (-2, True)
    assert (
        Delivery.objects.get(pk=old.pk).next_attempt is None
        and Delivery.objects.get(pk=delivered.pk).next_attempt is None
    )
    assert AuditLogEntry.objects.filter(user=user, action="webhook:replay").count() == 1
    bad = api_client.post(
        f"/api/v1/user/webhooks/{hook['id']}/replay", {"since": "yesterday"}, format="json", **headers
    )
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "since"


def test_admin_pages(admin_client, user):
    Subscription.objects.create(user=user, url="https://x.example/", events=["repo:create"])
    for page in ("subscription", "delivery", "event"):
        assert admin_client.get(f"/admin/webhooks/{page}/").status_code == 200
    assert admin_client.get("/admin/webhooks/delivery/?status=failed&event_name=repo:create").status_code == 200
