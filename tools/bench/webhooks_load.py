"""Webhook delivery load: emit events to several subscriptions, count what arrives.

    PYTHONPATH=tools .venv/bin/python -m bench.webhooks_load [--events 10000] [--subscriptions 10] [--concurrency 2]

Runs on its own embedded PostgreSQL/Redis (var/bench) with real Celery workers and a
threaded HTTP receiver on loopback. Prints deliveries per second and the number lost
(expected: 0). Not a test; takes a few minutes at the default size.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from bench.boot import ROOT, boot

received: set[str] = set()
duplicates = [0]
lock = threading.Lock()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self) -> None:  # noqa: N802
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        with lock:
            delivery = self.headers.get("X-Webhook-Delivery", "")
            if delivery in received:
                duplicates[0] += 1
            received.add(delivery)
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=10_000)
    parser.add_argument("--subscriptions", type=int, default=10)
    parser.add_argument("--concurrency", type=int, default=2)
    parser.add_argument("--timeout", type=int, default=900)
    args = parser.parse_args()
    boot(WEBHOOK_ALLOWED_NETWORKS="127.0.0.0/8")
    from django.core.management import call_command
    from django.db import transaction

    from accounts.models import User
    from resources.events import REPO_CREATE
    from webhooks.models import Delivery, Subscription
    from webhooks.services.emitting import event_emit

    call_command("migrate", verbosity=0)
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_port}/hook"

    user, _ = User.objects.get_or_create(username="bench-webhooks")
    Subscription.objects.filter(user=user).delete()
    Subscription.objects.bulk_create(
        [Subscription(user=user, url=url, events=["repo:create"]) for _ in range(args.subscriptions)]
    )
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "apiservice", "worker", "--concurrency", str(args.concurrency),
         "--loglevel", "WARNING", "--without-heartbeat", "--without-gossip", "--without-mingle"],
        cwd=ROOT, env=os.environ.copy(), start_new_session=True,
    )  # fmt: skip
    try:
        started = time.monotonic()
        for start in range(0, args.events, 100):
            with transaction.atomic():
                for i in range(start, min(start + 100, args.events)):
                    event_emit(user_id=user.pk, event=REPO_CREATE, payload={"id": i, "name": f"r{i}"})
        emitted_at = time.monotonic()
        at_emit_end = len(received)
        expected = args.events * args.subscriptions
        print(f"emitted {args.events} events -> {expected} deliveries in {emitted_at - started:.1f} s")
        deadline = started + args.timeout
        while len(received) < expected and time.monotonic() < deadline:
            time.sleep(0.5)
        finished = time.monotonic()
        pending = Delivery.objects.filter(subscription__user=user, next_attempt__isnull=False).count()
        lost = expected - len(received)
        print(f"received   {len(received)} distinct deliveries ({duplicates[0]} duplicates)")
        print(
            f"rate       {len(received) / (finished - started):.0f} deliveries/s overall (emitting and sending at once)"
        )
        drained = len(received) - at_emit_end
        print(
            f"drain      {drained / max(0.001, finished - emitted_at):.0f} deliveries/s after emitting ended ({args.concurrency} worker processes)"
        )
        print(f"pending    {pending}")
        print(f"lost       {lost}")
        return 0 if lost == 0 else 1
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        worker.wait(30)
        server.shutdown()


if __name__ == "__main__":
    raise SystemExit(main())
