"""A real HTTP receiver on loopback, and webhook test settings."""

from __future__ import annotations

import json
import re
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.conftest import ROOT
from webhooks.enqueue_breaker import EnqueueBreaker
from webhooks.services import emitting

DOCS = ROOT / "docs" / "webhooks.md"


class Receiver:
    """Records every request; answers from ``script`` (status, body, headers, delay), then 200."""

    def __init__(self, *, delay: float = 0.0, journal: list | None = None, name: str = "receiver") -> None:
        label = name
        self.requests: list[dict] = []
        self.script: list[tuple[int, bytes, dict, float]] = []
        self.lock = threading.Lock()
        self.active = self.peak = 0  # requests being answered now, and the most at once
        self.journal = journal if journal is not None else []  # (name, "request") in arrival order
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive: the engine reuses connections

            def do_POST(self) -> None:  # noqa: N802
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                with receiver.lock:
                    receiver.requests.append({"path": self.path, "headers": dict(self.headers), "body": body})
                    receiver.journal.append((label, "request"))
                    receiver.active += 1
                    receiver.peak = max(receiver.peak, receiver.active)
                    status, reply, headers, pause = (
                        receiver.script.pop(0) if receiver.script else (200, b"ok", {}, delay)
                    )
                try:
                    time.sleep(pause)
                finally:
                    with receiver.lock:
                        receiver.active -= 1
                try:
                    self.send_response(status)
                    for header, value in headers.items():
                        self.send_header(header, value)
                    self.send_header("Content-Length", str(len(reply)))
                    self.end_headers()
                    self.wfile.write(reply)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the sender gave up first (the timeout tests): nothing to report

            def log_message(self, *args) -> None:
                pass

        ThreadingHTTPServer.request_queue_size = 128  # a burst of connections is not refused
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def wait_for(self, count: int, timeout: float = 20.0) -> list[dict]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if len(self.requests) >= count:
                return self.requests
            time.sleep(0.05)
        raise AssertionError(f"expected {count} requests, got {len(self.requests)}")

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class DeadReceiver:
    """Accepts connections and never answers; journals each connection's accept and close."""

    def __init__(self, journal: list, name: str = "dead") -> None:
        self.journal, self.name = journal, name
        self.accepted = 0
        self.listener = socket.socket()
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(64)
        self.url = f"http://127.0.0.1:{self.listener.getsockname()[1]}/hook"
        self.running = True
        threading.Thread(target=self.serve, daemon=True).start()

    def serve(self) -> None:
        while self.running:
            try:
                conn, _ = self.listener.accept()
            except OSError:
                return
            self.accepted += 1
            self.journal.append((self.name, "accepted"))
            threading.Thread(target=self.hold, args=(conn,), daemon=True).start()

    def hold(self, conn: socket.socket) -> None:
        with conn:
            while True:
                try:
                    if not conn.recv(65536):  # the client gave up (its timeout) and closed
                        break
                except OSError:
                    break
        self.journal.append((self.name, "closed"))

    def close(self) -> None:
        self.running = False
        self.listener.close()


@pytest.fixture(autouse=True)
def _closed_enqueue_breaker(monkeypatch):
    """Each test starts with the process's enqueue breaker closed, whatever outage came before."""
    monkeypatch.setattr(emitting, "BROKER", EnqueueBreaker(cooldown=emitting.ENQUEUE_COOLDOWN))


@pytest.fixture
def receiver():
    instance = Receiver()
    yield instance
    instance.close()


@pytest.fixture
def loopback_allowed(settings):
    """Let webhooks reach the loopback receiver, as an operator would for local development."""
    settings.WEBHOOKS = {**settings.WEBHOOKS, "ALLOWED_NETWORKS": "127.0.0.0/8", "RETRY_SCHEDULE": [1, 1, 1]}


def docs_snippet() -> dict:
    """The Python verification block of docs/webhooks.md, executed as printed."""
    text = DOCS.read_text()
    match = re.search(r"## Verifying in Python.*?```python\n(.*?)```", text, re.S)
    assert match is not None, "docs/webhooks.md has a Python verification block"
    block = match.group(1)
    namespace: dict = {}
    exec(compile(block, str(DOCS), "exec"), namespace)  # noqa: S102 - our own documentation
    return namespace


def parsed(request: dict) -> dict:
    return json.loads(request["body"])
