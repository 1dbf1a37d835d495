"""``make load``: about 60 s of mixed traffic on loopback, then a report.

Reads, writes, key exchanges, webhook-producing changes delivered to a local receiver by
a real Celery worker, and an anonymous client that runs into its rate limit. Prints
requests by status, the 503s with Retry-After (an outage's), any other 5xx or request
without an answer (must be 0), webhooks emitted, received, lost (must be 0) and duplicated,
and p99 latency per route. Exits non-zero if a promise is broken.

It survives the faults it is there to show: gunicorn, the worker and beat (its own process)
run under devstack's supervisor, which restarts one that dies; its own database handle
reconnects after a PostgreSQL restart (bench.harness.Database); whatever happens (an error,
Ctrl-C, SIGTERM) it prints its summary and stops what it started (the embedded servers
under var/load too, when it started them).

    make load                 # LOAD_SECONDS=60 LOAD_CLIENTS=8
    PYTHONPATH=tools .venv/bin/python -m bench.load
"""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

from bench.boot import ROOT, boot, unlimited
from bench.harness import (
    Database,
    Receiver,
    Stack,
    Traffic,
    delivery_ids,
    setup,
    statuses,
    stop_servers_started_here,
    tally,
)

SECONDS = int(os.environ.get("LOAD_SECONDS", "60"))
CLIENTS = int(os.environ.get("LOAD_CLIENTS", "8"))
SETTLE_SECONDS = 60  # at most, for the last webhooks after the load
USER = "load"


def summary(traffic: Traffic | None, expected: set[str] | None, arrivals: list[str], seconds: float, why: str) -> int:
    """Prints the report; 0 when the run went to its end, every request had an answer, none a 5xx
    but an outage's 503 with Retry-After, and no webhook was lost."""
    records = traffic.between(0, float("inf")) if traffic else []
    total = len(records)
    outage = sum(1 for record in records if record.status == 503 and record.retry_after)
    server_errors = sum(1 for record in records if record.status >= 500 or record.status == -1) - outage
    if why:
        print(f"\nstopped early: {why}")
    print(f"\nrequests            {total} ({total / max(seconds, 0.001):.0f}/s)")
    print(f"by status           {statuses(records)}")
    print(f"503 + Retry-After   {outage} (an outage: PostgreSQL or Redis away)")
    print(f"other 5xx or none   {server_errors}")
    if expected is None:
        print("webhooks emitted    unknown (the database did not answer)")
        print(f"webhooks received   {len(set(arrivals))}")
        lost = -1
    else:
        counted = tally(expected, arrivals)
        print(f"webhooks emitted    {counted.expected}")
        print(f"webhooks received   {counted.received}")
        print(f"webhooks lost       {counted.lost}")
        print(f"webhooks duplicated {counted.duplicated}")
        lost = counted.lost
    by_route: dict[str, list[float]] = {}
    for record in records:
        by_route.setdefault(record.route, []).append(record.took)
    if by_route:
        print("\n| route | requests | p99 ms |\n|---|---:|---:|")
    for route, values in sorted(by_route.items()):
        values.sort()
        print(f"| {route} | {len(values)} | {values[max(0, int(len(values) * 0.99) - 1)] * 1000:.1f} |")
    return 0 if not why and server_errors == 0 and lost == 0 else 1


def main() -> int:
    # Every scope unlimited but the anonymous read one, which the anonymous client runs into.
    # Its own servers: the repositories it creates would otherwise sit at the top of the
    # bench's table and change what `make bench` measures.
    os.environ.setdefault("APISERVICE_VAR_DIR", str(ROOT / "var" / "load"))
    boot(**{**unlimited(), "API_RATE_LIMIT_ANONYMOUS_READ": "100/60+20", "WEBHOOK_ALLOWED_NETWORKS": "127.0.0.0/8"})
    signal.signal(signal.SIGTERM, signal.default_int_handler)  # SIGTERM too ends in the summary
    var_dir = Path(os.environ["APISERVICE_VAR_DIR"])
    database = Database()
    receiver = Receiver()
    stack: Stack | None = None
    traffic: Traffic | None = None
    expected: set[str] | None = None
    why, started, seconds = "", time.monotonic(), 0.0
    try:
        key = database.run(lambda: setup(receiver.url, USER))
        concurrency = os.environ.get("WEB_CONCURRENCY", "4")
        stack = Stack(var_dir / "load-stack.log", var_dir / "load-beat", web_concurrency=concurrency)
        print(f"starting gunicorn, a Celery worker and beat (their output: {stack.output.path})...", flush=True)
        stack.start()
        traffic = Traffic(stack.url, key, CLIENTS)
        print(f"{SECONDS} s of mixed load from {CLIENTS + 1} clients...", flush=True)
        started = time.monotonic()
        traffic.start()
        stack.wait(lambda: time.monotonic() - started >= SECONDS, SECONDS)
        seconds = time.monotonic() - started
        traffic.stop()
        emitted = expected = database.run(lambda: delivery_ids(USER))
        stack.wait(lambda: emitted <= set(receiver.ids()), SETTLE_SECONDS)
    except KeyboardInterrupt:
        why = "interrupted"
    except Exception as exc:  # noqa: BLE001 - whatever it was, the summary follows
        why = f"{type(exc).__name__}: {exc}"
    finally:
        if traffic is not None:
            seconds = seconds or time.monotonic() - started
            traffic.stop()
        if stack is not None:
            stack.stop()
        receiver.stop()
    if expected is None:  # the database was away when the load ended: one more look
        try:
            expected = Database(tries=5).run(lambda: delivery_ids(USER))
        except Exception:  # noqa: BLE001 - the summary says it is unknown
            expected = None
    stop_servers_started_here(var_dir)
    code = summary(traffic, expected, receiver.ids(), seconds, why)
    if stack is not None:
        restarts = {name: count for name, count in stack.restarts().items() if count}
        if restarts:
            print("\nrestarted: " + ", ".join(f"{name} {count}x" for name, count in restarts.items()))
    if database.reconnects:
        print(f"the tool's database handle reconnected {database.reconnects} time(s)")
    return code


if __name__ == "__main__":
    raise SystemExit(main())
