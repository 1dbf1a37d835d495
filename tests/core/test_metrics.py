"""/metrics: Prometheus text for loopback or a token; requests, rate limits, key exchanges, webhooks."""

from datetime import timedelta

import pytest
import requests
from django.utils import timezone
from prometheus_client import REGISTRY
from prometheus_client.parser import text_string_to_metric_families

from config.metrics import address_allowed

pytestmark = pytest.mark.django_db


def sample(name, **labels):
    return REGISTRY.get_sample_value(name, labels) or 0.0


def scrape(client, **extra):
    response = client.get("/metrics", **extra)
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"].startswith("text/plain")
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(response.content.decode())
        for s in family.samples
    }


@pytest.mark.parametrize(
    ("address", "allowed"),
    [("127.0.0.1", True), ("127.9.9.9", True), ("::1", True), ("::ffff:127.0.0.1", True),
     ("10.0.0.5", False), ("2001:db8::1", False), ("not-an-address", False)],
)  # fmt: skip
def test_the_default_networks_are_loopback(address, allowed):
    assert address_allowed(address, ("127.0.0.0/8", "::1/128")) is allowed


def test_loopback_reads_the_metrics(client):
    client.get("/api/v1/version")
    samples = scrape(client)
    key = ("apiservice_http_requests_total", (("method", "GET"), ("route", "version"), ("status", "200")))
    assert samples[key] >= 1


def test_anyone_else_gets_a_404_unless_they_bring_the_token(client, settings):
    elsewhere = {"REMOTE_ADDR": "203.0.113.7"}
    assert client.get("/metrics", **elsewhere).status_code == 404
    settings.METRICS_TOKEN = "a-long-random-metrics-token"
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer wrong-token", **elsewhere).status_code == 404
    assert (
        client.get("/metrics", HTTP_AUTHORIZATION="Bearer a-long-random-metrics-token", **elsewhere).status_code == 200
    )
    assert client.post("/metrics", **elsewhere).status_code == 404  # no 405 that would reveal the route


def test_a_configured_network_reads_the_metrics(client, settings):
    settings.METRICS_ALLOWED_NETWORKS = ["203.0.113.0/24"]
    assert client.get("/metrics", REMOTE_ADDR="203.0.113.7").status_code == 200
    assert client.get("/metrics").status_code == 404  # loopback is no longer listed


def test_requests_are_counted_by_route_name_not_path(client, user, headers_for):
    headers = headers_for(user)
    before = sample("apiservice_http_requests_total", route="user-detail", method="GET", status="404")
    unmatched = sample("apiservice_http_requests_total", route="unmatched", method="GET", status="404")
    for name in ("nobody-1", "nobody-2"):
        assert client.get(f"/api/v1/user/~{name}", **headers).status_code == 404
    client.get("/api/v1/no/such/route")
    assert sample("apiservice_http_requests_total", route="user-detail", method="GET", status="404") == before + 2
    assert sample("apiservice_http_requests_total", route="unmatched", method="GET", status="404") == unmatched + 1
    assert sample("apiservice_http_request_duration_seconds_count", route="unmatched") >= 1


def test_preflights_and_static_files_have_routes_of_their_own(client):
    preflight = sample("apiservice_http_requests_total", route="preflight", method="OPTIONS", status="200")
    client.options("/api/v1/keys", HTTP_ORIGIN="https://app.example.org", HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET")
    assert sample("apiservice_http_requests_total", route="preflight", method="OPTIONS", status="200") == preflight + 1
    static = sample("apiservice_http_requests_total", route="static", method="GET", status="200")
    assert client.get("/static/admin/css/base.css").status_code == 200
    assert sample("apiservice_http_requests_total", route="static", method="GET", status="200") == static + 1


def test_rate_limit_decisions_are_counted_by_scope_and_outcome(client, rate_limits):
    rate_limits(anonymous_read="1/3600+0")
    allowed = sample("apiservice_rate_limit_decisions_total", scope="anonymous-read", outcome="allowed")
    limited = sample("apiservice_rate_limit_decisions_total", scope="anonymous-read", outcome="limited")
    client.get("/api/v1/version")
    client.get("/api/v1/version")
    assert sample("apiservice_rate_limit_decisions_total", scope="anonymous-read", outcome="allowed") == allowed + 1
    assert sample("apiservice_rate_limit_decisions_total", scope="anonymous-read", outcome="limited") == limited + 1


def test_requests_let_through_during_a_redis_outage_are_counted(client, stopped_redis):
    before = sample("apiservice_rate_limit_decisions_total", scope="anonymous-read", outcome="fail-open")
    client.get("/api/v1/version")
    assert sample("apiservice_rate_limit_decisions_total", scope="anonymous-read", outcome="fail-open") == before + 1


def test_key_exchanges_are_counted(client, api_key):
    before = sample("apiservice_key_exchanges_total")
    assert client.post(f"/api/v1/authenticate?apiKey={api_key.secret}").status_code == 200
    assert client.post("/api/v1/authenticate?apiKey=apisvc_nope_nope").status_code == 401
    assert sample("apiservice_key_exchanges_total") == before + 1


def test_the_webhook_backlog_is_read_from_the_outbox_at_scrape_time(client, user):
    from webhooks.models import Delivery, Subscription

    subscription = Subscription.objects.create(user=user, url="https://example.org/hook", events=["repo:create"])
    now = timezone.now()
    common = {"subscription": subscription, "event_name": "repo:create", "url": subscription.url, "body": "{}"}
    Delivery.objects.create(**common, next_attempt=now - timedelta(seconds=90))
    Delivery.objects.create(**common, next_attempt=now + timedelta(hours=1))
    Delivery.objects.create(**common, response_status=200)
    Delivery.objects.create(**common, response_status=500, attempts=8)
    samples = scrape(client)
    state = {
        labels[0][1]: value for (name, labels), value in samples.items() if name == "apiservice_webhook_deliveries"
    }
    assert state == {"pending": 2, "delivered": 1, "failed": 1}
    assert samples[("apiservice_webhook_due_deliveries", ())] == 1
    assert 90 <= samples[("apiservice_webhook_oldest_due_delivery_age_seconds", ())] < 600


@pytest.mark.slow
def test_gunicorn_workers_add_up_their_samples(live_server_factory):
    """Multiprocess mode: whichever of the workers answers the scrape, it counts every worker's requests."""
    server = live_server_factory(workers=2)
    sent = 40
    with requests.Session() as session:
        for _ in range(sent):
            session.get(f"{server.url}/api/v1/version", headers={"Connection": "close"}, timeout=10)
    totals = []
    for _ in range(4):
        text = requests.get(f"{server.url}/metrics", headers={"Connection": "close"}, timeout=10).text
        for family in text_string_to_metric_families(text):
            for s in family.samples:
                if s.name == "apiservice_http_requests_total" and s.labels["route"] == "version":
                    totals.append(s.value)
    assert len(totals) == 4 and min(totals) >= sent  # (plus the start-up probe)
