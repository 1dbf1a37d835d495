"""``make load``: about 60 s of mixed traffic on loopback, then a report.

Reads, writes, key exchanges, webhook-producing changes delivered to a local receiver by
a real Celery worker, and an anonymous client that runs into its rate limit. Prints
requests, errors by status, the 5xx count (must be 0), webhooks emitted vs received (must
be equal) and p99 latency per route. Exits non-zero if either promise is broken.

    make load                 # LOAD_SECONDS=60 LOAD_CLIENTS=8
    PYTHONPATH=tools .venv/bin/python -m bench.load
"""

from __future__ import annotations

import collections
import os
import random
import signal
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import requests

from bench.boot import ROOT, boot, unlimited
from bench.run import Server

SECONDS = int(os.environ.get("LOAD_SECONDS", "60"))
CLIENTS = int(os.environ.get("LOAD_CLIENTS", "8"))
received: set[str] = set()
lock = threading.Lock()


class Receiver(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self) -> None:  # noqa: N802
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        with lock:
            received.add(self.headers.get("X-Webhook-Delivery", ""))
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


def setup(receiver_url: str) -> str:
    from django.core.management import call_command

    from accounts.models import User
    from auth.services import api_key_create
    from webhooks.models import Subscription

    call_command("migrate", verbosity=0)
    user, _ = User.objects.get_or_create(username="load")
    Subscription.objects.filter(user=user).delete()
    Subscription.objects.create(user=user, url=receiver_url, events=["repo:create", "repo:delete"])
    return api_key_create(user=user, name="load", scopes=["*"]).secret


def main() -> int:
    # Every scope unlimited but the anonymous read one, which the anonymous client runs into.
    # Its own servers: the repositories it creates would otherwise sit at the top of the
    # bench's table and change what `make bench` measures.
    os.environ.setdefault("APISERVICE_VAR_DIR", str(ROOT / "var" / "load"))
    boot(**{**unlimited(), "API_RATE_LIMIT_ANONYMOUS_READ": "100/60+20", "WEBHOOK_ALLOWED_NETWORKS": "127.0.0.0/8"})
    receiver = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    threading.Thread(target=receiver.serve_forever, daemon=True).start()
    key = setup(f"http://127.0.0.1:{receiver.server_port}/hook")
    from webhooks.models import Delivery

    before = set(Delivery.objects.values_list("uuid", flat=True))
    app = Server("config.wsgi", WEB_CONCURRENCY=os.environ.get("WEB_CONCURRENCY", "4"))
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "--quiet", "-A", "config", "worker", "-B", "--concurrency", "2", "--loglevel", "WARNING",
         "-s", str(Path(os.environ["APISERVICE_VAR_DIR"]) / "load-beat"), "--without-gossip", "--without-mingle"],
        cwd=ROOT, env=os.environ.copy(), start_new_session=True,
    )  # fmt: skip
    statuses: collections.Counter[tuple[str, int]] = collections.Counter()
    latencies: dict[str, list[float]] = collections.defaultdict(list)
    deadline = time.monotonic() + SECONDS

    def record(route: str, response_or_error: requests.Response | Exception, took: float) -> None:
        status = response_or_error.status_code if isinstance(response_or_error, requests.Response) else -1
        with lock:
            statuses[(route, status)] += 1
            latencies[route].append(took)

    def call(session: requests.Session, route: str, method: str, path: str, **kwargs: Any) -> requests.Response | None:
        started = time.perf_counter()
        try:
            response = session.request(method, app.url + path, timeout=30, **kwargs)
        except requests.RequestException as exc:
            record(route, exc, time.perf_counter() - started)
            return None
        record(route, response, time.perf_counter() - started)
        return response

    def authenticated(number: int) -> None:
        session = requests.Session()
        session.headers["Authorization"] = f"token {key}"
        made = 0
        while time.monotonic() < deadline:
            roll = random.random()  # noqa: S311
            if roll < 0.45:
                call(session, "GET /repos", "GET", "/api/v1/repos")
            elif roll < 0.60:
                token = call(
                    requests.Session(), "POST /authenticate", "POST", "/api/v1/authenticate", json={"apiKey": key}
                )
                if token is not None and token.status_code == 200:
                    call(requests.Session(), "GET /keys (JWT)", "GET", "/api/v1/keys",
                         headers={"Authorization": f"Bearer {token.json()['token']}"})  # fmt: skip
            elif roll < 0.85:
                made += 1
                name = f"load-{number}-{made}-{time.monotonic_ns()}"
                created = call(session, "POST /repos", "POST", "/api/v1/repos", json={"name": name})
                if created is not None and created.status_code == 201 and made % 2:
                    call(session, "DELETE /repos/:name", "DELETE", f"/api/v1/repos/{name}")
            else:
                call(session, "GET /rate-limit", "GET", "/api/v1/rate-limit")

    def anonymous() -> None:
        session = requests.Session()
        while time.monotonic() < deadline:
            call(session, "GET /version (anonymous, limited)", "GET", "/api/v1/version")
            time.sleep(0.02)

    threads = [threading.Thread(target=authenticated, args=(i,)) for i in range(CLIENTS)]
    threads.append(threading.Thread(target=anonymous))
    print(f"{SECONDS} s of mixed load from {CLIENTS + 1} clients...", flush=True)
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    new = Delivery.objects.exclude(uuid__in=before)
    emitted = new.count()
    settle = time.monotonic() + 60
    while len(received) < emitted and time.monotonic() < settle:
        time.sleep(0.5)
    app.stop()
    os.kill(worker.pid, signal.SIGTERM)  # Celery's warm shutdown: a running task finishes, none is lost
    try:
        worker.wait(60)
    except subprocess.TimeoutExpired:
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait(10)
    receiver.shutdown()

    total = sum(statuses.values())
    server_errors = sum(count for (_, status), count in statuses.items() if status >= 500 or status == -1)
    by_status: collections.Counter[int] = collections.Counter()
    for (_, status), count in statuses.items():
        by_status[status] += count
    print(f"\nrequests            {total} ({total / SECONDS:.0f}/s)")
    print("by status           " + ", ".join(f"{s}: {c}" for s, c in sorted(by_status.items())))
    print(f"5xx or no answer    {server_errors}")
    print(f"webhooks emitted    {emitted}")
    print(f"webhooks received   {len(received)}")
    print("\n| route | requests | p99 ms |\n|---|---:|---:|")
    for route, values in sorted(latencies.items()):
        values.sort()
        print(f"| {route} | {len(values)} | {values[int(len(values) * 0.99) - 1] * 1000:.1f} |")
    return 0 if server_errors == 0 and emitted == len(received) else 1


if __name__ == "__main__":
    raise SystemExit(main())
