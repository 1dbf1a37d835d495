"""Sending one request: timeouts, capped bodies, Retry-After."""

from typing import Any

from webhooks.ssrf import parse_networks
from webhooks.transport import parse_retry_after, post_webhook

LOOPBACK = parse_networks("127.0.0.0/8")


def send(receiver, **kwargs: Any):
    options: dict[str, Any] = {"allowed_networks": LOOPBACK, "connect_timeout": 2, "total_timeout": 5} | kwargs
    return post_webhook(receiver.url, b'{"a":1}', {"Content-Type": "application/json"}, **options)


def test_success_records_status_headers_body(receiver):
    receiver.script = [(201, b"created", {"X-Reply": "yes"}, 0)]
    result = send(receiver)
    assert (result.status, result.body, result.headers["X-Reply"]) == (201, "created", "yes")
    assert receiver.requests[0]["body"] == b'{"a":1}'
    assert receiver.requests[0]["headers"]["Host"].startswith("127.0.0.1")


def test_total_timeout_is_an_error_without_status(receiver):
    receiver.script = [(200, b"late", {}, 3)]
    result = send(receiver, total_timeout=0.5)
    assert result.status is None and "timed out" in result.error.lower()


def test_response_body_is_capped(receiver):
    receiver.script = [(200, b"x" * 200_000, {}, 0)]
    assert len(send(receiver, max_response_bytes=65536).body) == 65536


def test_connection_refused_is_an_error():
    from tests.conftest import free_port

    result = post_webhook(
        f"http://127.0.0.1:{free_port()}/", b"{}", {}, allowed_networks=LOOPBACK, connect_timeout=1, total_timeout=1
    )
    assert result.status is None and result.error


def test_retry_after_seconds_and_dates(receiver):
    receiver.script = [(429, b"", {"Retry-After": "120"}, 0)]
    assert send(receiver).retry_after == 120
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now=1445412480 - 60) == 60
    assert parse_retry_after("soon") is None
