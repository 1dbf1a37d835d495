"""Webhook delivery load with fast, slow and dead receivers; counts what arrives and when.

    PYTHONPATH=tools .venv/bin/python -m bench.webhooks_load --events 300 --fast 10 --latency 0.1
    PYTHONPATH=tools .venv/bin/python -m bench.webhooks_load --events 60 --fast 5 --slow 3 --dead 1

Each receiver is its own endpoint (a loopback port) with one subscription; fast ones answer
after ``--latency`` seconds, slow ones after ``--slow-latency``, dead ones accept the
connection and never answer. Runs on its own embedded PostgreSQL/Redis (var/bench) with a
real Celery worker (``--concurrency`` processes, as ``make run``). Prints deliveries per
second, how long after the last event the fast receivers had every delivery, and the
numbers lost and duplicated (expected: 0 and 0). Not a test: speed stays out of the suite.
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from bench.boot import ROOT, boot


class Counting:
    """What one receiver got: distinct delivery ids, duplicates, and when the last one came."""

    def __init__(self) -> None:
        self.ids: set[str] = set()
        self.duplicates = 0
        self.last = 0.0
        self.lock = threading.Lock()

    def record(self, delivery: str) -> None:
        with self.lock:
            if delivery in self.ids:
                self.duplicates += 1
            self.ids.add(delivery)
            self.last = time.monotonic()


def http_receiver(latency: float) -> tuple[str, Counting]:
    counting = Counting()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self) -> None:  # noqa: N802
            self.rfile.read(int(self.headers.get("Content-Length", 0)))
            time.sleep(latency)
            counting.record(self.headers.get("X-Webhook-Delivery", ""))
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    ThreadingHTTPServer.request_queue_size = 128  # a burst of connections is not refused
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_port}/hook", counting


def dead_receiver() -> tuple[str, list[socket.socket]]:
    """Accepts connections and holds them: a receiver that never answers."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(128)
    held: list[socket.socket] = []

    def serve() -> None:
        while True:
            conn, _ = listener.accept()
            held.append(conn)

    threading.Thread(target=serve, daemon=True).start()
    return f"http://127.0.0.1:{listener.getsockname()[1]}/hook", held


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=300)
    parser.add_argument("--fast", type=int, default=10, help="receivers answering after --latency")
    parser.add_argument("--latency", type=float, default=0.0)
    parser.add_argument("--slow", type=int, default=0, help="receivers answering after --slow-latency")
    parser.add_argument("--slow-latency", type=float, default=0.3)
    parser.add_argument("--dead", type=int, default=0, help="receivers that never answer")
    parser.add_argument("--concurrency", type=int, default=2, help="worker processes (make run uses 2)")
    parser.add_argument("--timeout", type=int, default=600)
    args = parser.parse_args()
    boot(WEBHOOK_ALLOWED_NETWORKS="127.0.0.0/8")
    from django.core.management import call_command
    from django.db import transaction

    from accounts.models import User
    from resources.events import REPO_CREATE
    from webhooks.models import Delivery, Subscription
    from webhooks.services.emitting import event_emit

    call_command("migrate", verbosity=0)
    fast = [http_receiver(args.latency) for _ in range(args.fast)]
    slow = [http_receiver(args.slow_latency) for _ in range(args.slow)]
    dead = [dead_receiver() for _ in range(args.dead)]
    user, _ = User.objects.get_or_create(username="bench-webhooks")
    Subscription.objects.filter(user=user).delete()
    urls = [url for url, _ in fast + slow] + [url for url, _ in dead]
    Subscription.objects.bulk_create([Subscription(user=user, url=url, events=["repo:create"]) for url in urls])
    from webhooks import breaker

    breaker.get_redis().delete(breaker.OPEN, breaker.TRIPPED)
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "config", "worker", "--concurrency", str(args.concurrency),
         "--loglevel", "WARNING", "--without-heartbeat", "--without-gossip", "--without-mingle"],
        cwd=ROOT, env=os.environ.copy(), start_new_session=True,
    )  # fmt: skip
    try:
        time.sleep(3)  # the worker's start-up, outside the measurement
        started = time.monotonic()
        for i in range(args.events):
            with transaction.atomic():  # one change, one event, as the API makes them
                event_emit(user_id=user.pk, event=REPO_CREATE, payload={"id": i, "name": f"r{i}"})
        emitted = time.monotonic()
        answering = [counting for _, counting in fast + slow]
        expected = args.events * len(answering)
        deadline = started + args.timeout
        while sum(len(c.ids) for c in answering) < expected and time.monotonic() < deadline:
            time.sleep(0.05)
        received = sum(len(c.ids) for c in answering)
        last = max((c.last for c in answering), default=emitted)
        fast_done = max((c.last for _, c in fast), default=emitted)
        print(f"events     {args.events} to {args.fast} fast ({args.latency:g} s), {args.slow} slow "
              f"({args.slow_latency:g} s), {args.dead} dead receivers; {args.concurrency} worker processes")  # fmt: skip
        print(f"emitting   {emitted - started:.1f} s")
        print(f"rate       {received / max(0.001, last - started):.0f} deliveries/s to answering receivers")
        if fast:
            complete = all(len(c.ids) == args.events for _, c in fast)
            print(
                f"fast done  {fast_done - emitted:+.2f} s after the last event ({'all' if complete else 'NOT all'} delivered)"
            )
        duplicates = sum(c.duplicates for c in answering)
        dead_attempts = sum(len(held) for _, held in dead)
        pending = Delivery.objects.filter(subscription__user=user, next_attempt__isnull=False).count()
        print(
            f"dead       {dead_attempts} connection(s) opened to dead receivers; {pending} deliveries pending (postponed)"
        )
        print(f"duplicated {duplicates}")
        print(f"lost       {expected - received}")
        return 0 if received == expected and duplicates == 0 else 1
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        worker.wait(30)


if __name__ == "__main__":
    raise SystemExit(main())
