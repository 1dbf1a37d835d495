"""The Sentry scrubber: no body, cookie or credential leaves the service in an error event."""

import gzip
import json
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from core.sentry import FILTERED, scrub_event
from tests.conftest import ROOT, service_env

KEY = "apisvc_abcdef_0123456789secret"
TOKEN = "eyJhbGciOiJIUzI1NiJ9.eyJ1c2VyIjoxfQ.c2lnbmF0dXJlc2VjcmV0"


def event():
    """The shape sentry-sdk's Django integration gives an error raised while serving a request."""
    return {
        "level": "error",
        "request": {
            "url": f"https://api.example.org/api/v1/authenticate?apiKey={KEY}",
            "method": "POST",
            "query_string": f"apiKey={KEY}&page=2",
            "headers": {"Authorization": f"Bearer {TOKEN}", "Cookie": "sessionid=abc", "Accept": "application/json",
                        "X-Request-ID": "req-1"},
            "cookies": {"sessionid": "abc"},
            "data": json.dumps({"apiKey": KEY}),
            "env": {"REMOTE_ADDR": "203.0.113.7", "SERVER_NAME": "api"},
        },
        "logentry": {"message": "bad key %s", "params": [KEY], "formatted": f"bad key {KEY}"},
        "exception": {"values": [{"type": "ValueError", "value": f"token {TOKEN} rejected"}]},
        "breadcrumbs": {"values": [{"category": "httplib", "message": f"GET /x?token={TOKEN}",
                                    "data": {"url": f"/x?apiKey={KEY}"}}]},
    }  # fmt: skip


def test_bodies_cookies_and_credentials_are_removed():
    scrubbed = scrub_event(event(), {})
    text = json.dumps(scrubbed)
    assert "0123456789secret" not in text and "c2lnbmF0dXJl" not in text and "sessionid" not in text
    request = scrubbed["request"]
    assert "data" not in request and "cookies" not in request and "REMOTE_ADDR" not in request["env"]
    assert request["headers"]["Authorization"] == FILTERED and request["headers"]["Cookie"] == FILTERED
    assert request["query_string"] == "apiKey=***&page=2"
    assert request["url"] == "https://api.example.org/api/v1/authenticate?apiKey=***"


def test_what_helps_debugging_is_kept():
    scrubbed = scrub_event(event(), {})
    assert scrubbed["request"]["headers"]["Accept"] == "application/json"
    assert scrubbed["request"]["headers"]["X-Request-ID"] == "req-1"
    assert scrubbed["exception"]["values"][0] == {"type": "ValueError", "value": "token *** rejected"}
    assert scrubbed["logentry"]["message"] == "bad key %s"


def test_an_event_without_a_request_passes():
    assert scrub_event({"message": "plain"}, None) == {"message": "plain"}


class Collector:
    """A stand-in for Sentry's ingest endpoint on loopback: keeps every envelope it receives."""

    def __init__(self):
        self.bodies: list[bytes] = []
        collector = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                if self.headers.get("Content-Encoding") == "gzip":
                    body = gzip.decompress(body)
                collector.bodies.append(body)
                self.send_response(200)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"{}")

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.mark.slow
def test_an_error_reaches_sentry_scrubbed(transactional_db, make_key):
    """A real sentry-sdk, set up by the settings, sends a view's error to a local endpoint without secrets."""
    collector = Collector()
    secret = make_key().secret
    script = f"""
import sentry_sdk, wsgiref.util
from django.core.wsgi import get_wsgi_application
from django.test import override_settings

app = get_wsgi_application()  # Django's WSGI handler, which sentry-sdk's Django integration wraps
environ = {{"PATH_INFO": "/api/v1/test-boom", "QUERY_STRING": "apiKey={KEY}", "HTTP_COOKIE": "sessionid=cookiesecret1",
           "HTTP_AUTHORIZATION": "token {secret}", "HTTP_X_REQUEST_ID": "s-1"}}
wsgiref.util.setup_testing_defaults(environ)
statuses = []
with override_settings(ROOT_URLCONF="tests.core.urls", API_RATE_LIMITS_ENABLED=False):
    b"".join(app(environ, lambda status, headers, exc_info=None: statuses.append(status)))
print(statuses[0])
sentry_sdk.flush(5)
"""
    env = service_env(
        SENTRY_DSN=f"http://publickey@127.0.0.1:{collector.port}/1", DJANGO_SETTINGS_MODULE="config.settings"
    )
    try:
        result = subprocess.run(
            [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
        )
    finally:
        collector.server.shutdown()
    assert result.returncode == 0 and result.stdout.split()[0] == "500", result.stderr[-3000:]
    sent = b"\n".join(collector.bodies).decode()
    assert "RuntimeError" in sent and "a bug" in sent and '"vars"' not in sent  # reported, no frame locals...
    assert "0123456789secret" not in sent and "cookiesecret1" not in sent  # ...without the credentials
    assert secret.split("_")[2] not in sent
    assert "apiKey=***" in sent and FILTERED in sent
    event = next(json.loads(line) for line in sent.splitlines() if '"exception"' in line)
    assert event["tags"]["request_id"] == "s-1"  # the same id as the request's log lines
