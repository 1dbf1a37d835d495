"""Request ids: accepted or generated, on every response, in the request's log lines and in its tasks."""

import io
import json
import logging
import re
import subprocess
import sys
import time

import pytest

from core.context import current_request_id, request_scope
from core.logging import TextFormatter
from core.requestid import (
    RequestIdFilter,
    accepted_request_id,
)
from tests.conftest import ROOT, service_env

GENERATED = re.compile(r"[0-9a-f]{32}")


@pytest.mark.parametrize(
    ("sent", "kept"),
    [
        ("abc", True),
        ("deploy-42.smoke:1_x", True),
        ("a" * 200, True),
        ("a" * 201, False),
        ("", False),
        ("has space", False),
        ("line\nbreak", False),
        ('quote"d', False),
        ("ünïcode", False),
    ],
)
def test_a_request_id_is_kept_only_when_it_is_short_and_plain(sent, kept):
    accepted = accepted_request_id(sent)
    assert (accepted == sent) is kept
    if not kept:
        assert GENERATED.fullmatch(accepted)


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/api/v1/version", "/api/v1/nope", "/nope", "/admin/login/", "/api/v1/keys"])
def test_every_response_carries_the_id_sent(client, path):
    response = client.get(path, HTTP_X_REQUEST_ID="trace-7")
    assert response["X-Request-ID"] == "trace-7"


@pytest.mark.django_db
def test_a_missing_or_bad_id_is_replaced_by_a_new_one_per_request(client):
    first = client.get("/api/v1/version")["X-Request-ID"]
    second = client.get("/api/v1/version", HTTP_X_REQUEST_ID="bad id\r\nX-Injected: 1")["X-Request-ID"]
    assert GENERATED.fullmatch(first) and GENERATED.fullmatch(second) and first != second


@pytest.mark.django_db
@pytest.mark.urls("tests.core.urls")
@pytest.mark.parametrize("path", ["/api/v1/test-boom", "/api/v1/test-plain-boom"])
def test_a_server_error_carries_the_id(client, path):
    client.raise_request_exception = False
    response = client.get(path, HTTP_X_REQUEST_ID="err-1")
    assert response.status_code == 500 and response["X-Request-ID"] == "err-1"


@pytest.fixture
def log_stream():
    """A handler like the console one (request-id filter, text format) on the root logger."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(TextFormatter("%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"))
    root = logging.getLogger()
    root.addHandler(handler)
    yield stream
    root.removeHandler(handler)


@pytest.mark.django_db
def test_the_log_lines_of_a_request_carry_its_id(client, log_stream):
    client.get("/api/v1/version", HTTP_X_REQUEST_ID="trace-logs-1")
    logging.getLogger("elsewhere").warning("outside any request")
    lines = log_stream.getvalue().splitlines()
    access = [line for line in lines if "apiservice.access" in line]
    assert len(access) == 1 and "[trace-logs-1] GET /api/v1/version 200" in access[0]
    assert lines[-1].endswith("WARNING elsewhere [-] outside any request")
    assert re.match(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z ", lines[-1])  # UTC, milliseconds


def test_the_context_is_restored_after_the_block():
    assert current_request_id() is None
    with request_scope("outer"):
        with request_scope("inner"):
            assert current_request_id() == "inner"
        assert current_request_id() == "outer"
    assert current_request_id() is None


@pytest.mark.slow
def test_a_task_enqueued_by_a_request_logs_with_the_request_id(transactional_db, tmp_path, monkeypatch):
    """A real worker runs a task published inside a request context; its lines carry the id."""
    from webhooks.enqueue_breaker import EnqueueBreaker
    from webhooks.services import emitting

    monkeypatch.setattr(emitting, "BROKER", EnqueueBreaker())  # closed, whatever outage an earlier test made
    with request_scope("req-to-task-1"):
        assert emitting.enqueue()  # as a write does after its commit
    log_path = tmp_path / "worker.log"
    with open(log_path, "w") as log:
        worker = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool", "solo", "--loglevel", "INFO",
             "--without-heartbeat", "--without-gossip", "--without-mingle"],
            cwd=ROOT, env=service_env(LOG_FORMAT="json"), stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        try:
            deadline = time.monotonic() + 60
            while "succeeded" not in log_path.read_text() and time.monotonic() < deadline:
                assert worker.poll() is None, log_path.read_text()[-3000:]
                time.sleep(0.2)
        finally:
            worker.terminate()
            worker.wait(30)
    records = [json.loads(line) for line in log_path.read_text().splitlines() if line.startswith("{")]
    succeeded = [r for r in records if "deliveries_pump_task" in r["message"] and "succeeded" in r["message"]]
    assert len(succeeded) == 1, log_path.read_text()[-3000:]
    assert succeeded[0]["request_id"] == "req-to-task-1"
    assert {r["request_id"] for r in records if "ready." in r["message"]} == {"-"}  # outside any task
