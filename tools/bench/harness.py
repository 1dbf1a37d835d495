"""What ``make load`` and ``make faults`` share: the stack under devstack's supervisor, a
database handle that reconnects, a receiver that counts webhooks by id, and the traffic.

Nothing here imports Django at module level: :func:`bench.boot.boot` runs first.
"""

from __future__ import annotations

import collections
import os
import random
import socket
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, TypeVar

import requests

from bench.boot import ROOT
from devstack import supervisor
from devstack.run import QUIET_ROOT_WARNING

T = TypeVar("T")
WORKER_READY = b" ready."


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def child_pids(pid: int) -> list[int]:
    """The processes whose parent is ``pid``, zombies left out (Linux: /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            state, parent = (entry / "stat").read_text().rsplit(")", 1)[1].split()[:2]
        except (OSError, ValueError):
            continue
        if int(parent) == pid and state != "Z":
            found.append(int(entry.name))
    return sorted(found)


# ------------------------------------------------------------------ database


class Database:
    """The tool's own database handle: a query that lost its connection (PostgreSQL restarted,
    an administrator's ``pg_terminate_backend``, the server not yet back) is run again on a new
    connection, ``pause`` seconds apart, at most ``tries`` times in all.

    Django reconnects a web request's connection between requests, never a script's: without
    this, one restart ends ``make load`` with the first query after it (AdminShutdown).
    """

    def __init__(self, connection: Any = None, *, tries: int = 120, pause: float = 0.5) -> None:
        if connection is None:
            from django.db import connection
        self.connection = connection
        self.tries, self.pause = tries, pause
        self.attempts = 0  # queries sent, the repeated ones included
        self.reconnects = 0

    def run(self, query: Callable[[], T]) -> T:
        from django.db import InterfaceError, OperationalError

        for attempt in range(1, self.tries + 1):
            self.attempts += 1
            try:
                return query()
            except (OperationalError, InterfaceError):
                if attempt == self.tries:
                    raise
                self.reconnects += 1
                self.connection.close()  # the next query connects again
                time.sleep(self.pause)
        raise AssertionError("unreachable")


# ------------------------------------------------------------------ webhooks


class QuietServer(ThreadingHTTPServer):
    """A burst of connections is not refused, and a sender killed mid-request is no traceback."""

    request_queue_size = 128
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class Receiver:
    """A webhook receiver on loopback that notes the id of every delivery, in order of arrival."""

    def __init__(self) -> None:
        self.arrivals: list[str] = []
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:  # noqa: N802
                self.rfile.read(int(self.headers.get("Content-Length", 0)))
                with receiver.lock:
                    receiver.arrivals.append(self.headers.get("X-Webhook-Delivery", ""))
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = QuietServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def ids(self) -> list[str]:
        with self.lock:
            return list(self.arrivals)

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@dataclass(frozen=True)
class Tally:
    expected: int
    received: int
    lost: int
    duplicated: int  # arrivals of an expected id seen before


def tally(expected: set[str], arrivals: list[str]) -> Tally:
    """What became of ``expected`` delivery ids, given every arrival at the receiver in order.

    A delivery may arrive twice (at least once: a worker killed between sending and recording
    it sends it again); each arrival after an id's first is a duplicate. Arrivals of other ids
    (another phase's) do not count here.
    """
    counts = collections.Counter(delivery for delivery in arrivals if delivery in expected)
    return Tally(
        expected=len(expected),
        received=len(counts),
        lost=len(expected) - len(counts),
        duplicated=sum(count - 1 for count in counts.values()),
    )


# ------------------------------------------------------------------ the stack


class LogOutput(supervisor.Output):
    """The stack's output in a file (this run's alone); counts the worker's "ready." lines (one per start)."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        super().__init__(open(path, "wb"))  # noqa: SIM115 - closed by Stack.stop
        self.path = path
        self.worker_ready = 0

    def seen(self, line: bytes) -> None:
        if WORKER_READY in line and b"celery@" in line:
            self.worker_ready += 1


class StackFailed(RuntimeError):
    pass


class Stack:
    """gunicorn, a Celery worker and Celery beat (its own process) under a :class:`devstack.supervisor.Supervisor`.

    Everything they print goes to ``log``. Call :meth:`poll` often from the thread that
    called :meth:`start` (the main one): it restarts what died.
    """

    def __init__(self, log: Path, schedule: Path, *, web_concurrency: str = "4", worker_concurrency: str = "2") -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.output = LogOutput(log)
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        celery = [sys.executable, *QUIET_ROOT_WARNING, "-m", "celery", "-A", "config"]
        programs = [
            supervisor.Program(
                "gunicorn",
                [sys.executable, "-m", "gunicorn", "config.wsgi", "-c", str(ROOT / "gunicorn.conf.py"),
                 "--bind", f"127.0.0.1:{self.port}"],
                {**env, "GUNICORN_ACCESS_LOG": "/dev/null", "WEB_CONCURRENCY": web_concurrency},
                ROOT,
            ),
            supervisor.Program(
                "celery worker",
                [*celery, "worker", "--concurrency", worker_concurrency, "--loglevel", "INFO",
                 "--without-gossip", "--without-mingle"],
                env,
                ROOT,
            ),
            supervisor.Program("celery beat", [*celery, "beat", "--loglevel", "WARNING", "-s", str(schedule)], env, ROOT),
        ]  # fmt: skip
        self.supervisor = supervisor.Supervisor(programs, self.output)

    def start(self, timeout: float = 120) -> None:
        self.supervisor.start()
        if not self.wait(lambda: self.output.worker_ready >= 1 and self.healthy(), timeout):
            raise StackFailed(f"the stack did not start within {timeout:g} s; {self.output.path} says why")

    def healthy(self) -> bool:
        try:
            return requests.get(self.url + "/api/v1/health", timeout=2).status_code == 200
        except requests.RequestException:
            return False

    def wait(self, condition: Callable[[], bool], timeout: float) -> bool:
        """Whether ``condition`` came true within ``timeout`` seconds; restarts what dies meanwhile."""
        deadline = time.monotonic() + timeout
        while not condition():
            self.poll()
            if time.monotonic() > deadline:
                return False
            time.sleep(0.1)
        return True

    def poll(self) -> None:
        gave_up = self.supervisor.poll()
        if gave_up is not None:
            raise StackFailed(gave_up.message(self.supervisor.policy.crash_window))

    def restarts(self) -> dict[str, int]:
        return {name: child.restarts for name, child in self.supervisor.children.items()}

    def pid(self, name: str) -> int | None:
        return self.supervisor.children[name].pid

    def stop(self) -> None:
        self.supervisor.stop()
        assert self.output.sink is not None
        self.output.sink.close()


# ------------------------------------------------------------------ traffic


@dataclass(frozen=True)
class Record:
    route: str
    method: str
    status: int  # -1: no answer (connection refused or reset, timeout)
    started: float  # time.monotonic()
    took: float
    retry_after: bool


class Traffic:
    """Clients on threads: reads, writes (each a webhook), key exchanges with JWT reads, and
    an anonymous client that runs into its rate limit. Every answer is a :class:`Record`."""

    def __init__(self, base: str, key: str, clients: int) -> None:
        self.base, self.key, self.clients = base, key, clients
        self.records: list[Record] = []
        self.lock = threading.Lock()
        self.stopped = threading.Event()
        self.threads: list[threading.Thread] = []

    def start(self) -> None:
        self.threads = [threading.Thread(target=self.authenticated, args=(i,)) for i in range(self.clients)]
        self.threads.append(threading.Thread(target=self.anonymous))
        for thread in self.threads:
            thread.start()

    def stop(self) -> None:
        self.stopped.set()
        for thread in self.threads:
            thread.join()

    def call(
        self, session: requests.Session, route: str, method: str, path: str, **kwargs: Any
    ) -> requests.Response | None:
        started = time.monotonic()
        try:
            response = session.request(method, self.base + path, timeout=30, **kwargs)
        except requests.RequestException:
            response = None
        record = Record(
            route,
            method,
            -1 if response is None else response.status_code,
            started,
            time.monotonic() - started,
            response is not None and "Retry-After" in response.headers,
        )
        with self.lock:
            self.records.append(record)
        return response

    def authenticated(self, number: int) -> None:
        session = requests.Session()
        session.headers["Authorization"] = f"token {self.key}"
        made = 0
        while not self.stopped.is_set():
            roll = random.random()  # noqa: S311
            if roll < 0.45:
                self.call(session, "GET /repos", "GET", "/api/v1/repos")
            elif roll < 0.60:
                token = self.call(
                    requests.Session(), "POST /authenticate", "POST", "/api/v1/authenticate", json={"apiKey": self.key}
                )
                if token is not None and token.status_code == 200:
                    self.call(requests.Session(), "GET /keys (JWT)", "GET", "/api/v1/keys",
                              headers={"Authorization": f"Bearer {token.json()['token']}"})  # fmt: skip
            elif roll < 0.85:
                made += 1
                name = f"load-{number}-{made}-{time.monotonic_ns()}"
                created = self.call(session, "POST /repos", "POST", "/api/v1/repos", json={"name": name})
                if created is not None and created.status_code == 201 and made % 2:
                    self.call(session, "DELETE /repos/:name", "DELETE", f"/api/v1/repos/{name}")
            else:
                self.call(session, "GET /rate-limit", "GET", "/api/v1/rate-limit")

    def anonymous(self) -> None:
        session = requests.Session()
        while not self.stopped.is_set():
            self.call(session, "GET /version (anonymous, limited)", "GET", "/api/v1/version")
            time.sleep(0.02)

    def between(self, start: float, end: float) -> list[Record]:
        """The records of requests that started in [start, end)."""
        with self.lock:
            return [record for record in self.records if start <= record.started < end]


def statuses(records: list[Record]) -> str:
    counts = collections.Counter(record.status for record in records)
    return ", ".join(f"{'no answer' if status == -1 else status}: {count}" for status, count in sorted(counts.items()))


def stop_servers_started_here(var_dir: Path) -> None:
    """Stop the embedded servers of ``var_dir`` that this process started (or started again)."""
    from django.db import connections

    from devstack import embedded

    connections.close_all()
    var_dir = var_dir.resolve()
    if ("redis", var_dir) in embedded.STARTED:
        embedded.stop_redis(var_dir)
    if ("postgres", var_dir) in embedded.STARTED:
        embedded.stop_postgres(var_dir)


def setup(receiver_url: str, username: str) -> str:
    """A user with one subscription to ``receiver_url`` (its deliveries are this run's) and an API key."""
    from django.core.management import call_command

    from accounts.models import User
    from auth.services import api_key_create
    from webhooks.models import Subscription

    call_command("migrate", verbosity=0)
    user, _ = User.objects.get_or_create(username=username)
    Subscription.objects.filter(user=user).delete()
    Subscription.objects.create(user=user, url=receiver_url, events=["repo:create", "repo:delete"])
    return api_key_create(user=user, name=username, scopes=["*"]).secret


def delivery_ids(username: str) -> set[str]:
    """The ids of every delivery to the user's subscription (setup made it for this run)."""
    from webhooks.models import Delivery

    return {
        str(uuid)
        for uuid in Delivery.objects.filter(subscription__user__username=username).values_list("uuid", flat=True)
    }
