"""``make faults``: the faults the service promises to survive, one after another, under load.

On its own embedded PostgreSQL and Redis (var/faults), loopback only, in about three minutes:
gunicorn, a Celery worker and Celery beat run under devstack's supervisor while client
threads read, write (each write a webhook to a local receiver that notes every delivery's
id), exchange keys and run into a rate limit. Then, each for its own phase of the load:

    baseline                     nothing happens
    Redis stopped                for FAULTS_OUTAGE_SECONDS (7), then started again
    PostgreSQL stopped           for FAULTS_OUTAGE_SECONDS (7), then started again
    a pool process killed        SIGKILL to one of the worker's pool processes (Celery replaces it)
    the worker killed            SIGKILL to the worker's main process (the supervisor restarts it)

After the last phase the load stops and the suite waits (at most 90 s) for the webhooks.
Per phase it prints the requests by status, 503s without ``Retry-After`` (must be 0), other
5xx (must be 0), requests without an answer (must be 0), the longest a read waited while
the fault lasted, the webhooks expected (the deliveries written in the phase), received,
lost (must be 0) and duplicated (sent again: at least once), and what the supervisor
restarted; then a verdict. Exits 1 when a must-be-0 is not 0.

The stack's settings are the defaults but for the webhook sweep (every 5 s, not 15) and
leases (10 s, not 60), so that what a killed worker held is sent again within the wait. At
the end it stops everything it started, the embedded servers under var/faults included.

    make faults
    PYTHONPATH=tools .venv/bin/python -m bench.faults
"""

from __future__ import annotations

import collections
import os
import signal
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from bench.boot import ROOT, boot, unlimited
from bench.harness import (
    Database,
    Receiver,
    Record,
    Stack,
    Tally,
    Traffic,
    child_pids,
    delivery_ids,
    setup,
    statuses,
    stop_servers_started_here,
    tally,
)

OUTAGE = float(os.environ.get("FAULTS_OUTAGE_SECONDS", "7"))
SETTLE = 5.0  # load goes on this long after each recovery, in the same phase
CLIENTS = int(os.environ.get("FAULTS_CLIENTS", "4"))
POOL = 2  # the worker's --concurrency
WEBHOOK_WAIT = 90.0
USER = "faults"


@dataclass
class Phase:
    name: str
    start: float = 0.0
    injected: float = 0.0
    recovered: float = 0.0
    end: float = 0.0
    expected: set[str] = field(default_factory=set)
    restarts: dict[str, int] = field(default_factory=dict)
    note: str = ""


@dataclass(frozen=True)
class Verdict:
    """One phase's numbers, as printed."""

    requests: int
    by_status: str
    unavailable: str  # the 503s by route
    without_retry_after: int  # 503s
    server_errors: int  # 5xx other than 503
    no_answer: int
    longest_read: float  # seconds, reads overlapping the fault
    webhooks: Tally

    @property
    def broken(self) -> bool:
        return bool(self.without_retry_after or self.server_errors or self.no_answer or self.webhooks.lost)


def judge(phase: Phase, records: list[Record], arrivals: list[str]) -> Verdict:
    reads = [
        r for r in records if r.method == "GET" and r.started < phase.recovered and r.started + r.took > phase.injected
    ]
    return Verdict(
        requests=len(records),
        by_status=statuses(records),
        unavailable=", ".join(
            f"{route}: {count}"
            for route, count in sorted(collections.Counter(r.route for r in records if r.status == 503).items())
        )
        or "none",
        without_retry_after=sum(1 for r in records if r.status == 503 and not r.retry_after),
        server_errors=sum(1 for r in records if r.status >= 500 and r.status != 503),
        no_answer=sum(1 for r in records if r.status == -1),
        longest_read=max((r.took for r in reads), default=0.0),
        webhooks=tally(phase.expected, arrivals),
    )


def table(phase: Phase, verdict: Verdict) -> str:
    restarted = ", ".join(f"{name} {count}" for name, count in phase.restarts.items() if count) or "nothing"
    hooks = verdict.webhooks
    rows = [
        ("requests", f"{verdict.requests} ({verdict.by_status})"),
        ("503s by route", verdict.unavailable),
        ("503 without Retry-After (must be 0)", verdict.without_retry_after),
        ("500 or other 5xx (must be 0)", verdict.server_errors),
        ("no answer (must be 0)", verdict.no_answer),
        ("longest a read waited during the fault", f"{verdict.longest_read:.2f} s"),
        ("webhooks expected / received / lost (must be 0) / duplicated",
         f"{hooks.expected} / {hooks.received} / {hooks.lost} / {hooks.duplicated}"),
        ("restarted by the supervisor", restarted),
    ]  # fmt: skip
    lines = [f"\n{phase.name}: {phase.note}", "", "| | |", "|---|---|"]
    lines += [f"| {label} | {value} |" for label, value in rows]
    return "\n".join(lines)


class Suite:
    def __init__(self, stack: Stack, var_dir: Path, database: Database) -> None:
        self.stack, self.var_dir, self.database = stack, var_dir, database

    def pause(self, seconds: float) -> None:
        self.stack.wait(lambda: False, seconds)  # the supervisor keeps restarting meanwhile

    def until(self, condition: Callable[[], bool], timeout: float, what: str) -> None:
        if not self.stack.wait(condition, timeout):
            raise RuntimeError(f"{what} did not happen within {timeout:g} s; {self.stack.output.path} says why")

    def baseline(self) -> str:
        self.pause(OUTAGE)
        return f"{OUTAGE:g} s of load, no fault"

    def redis(self) -> str:
        from devstack import embedded

        embedded.stop_redis(self.var_dir)
        self.pause(OUTAGE)
        started = time.monotonic()
        embedded.ensure_redis(self.var_dir)
        return f"stopped for {OUTAGE:g} s, then started ({time.monotonic() - started:.2f} s to answer)"

    def postgres(self) -> str:
        from devstack import embedded

        embedded.stop_postgres(self.var_dir)
        self.pause(OUTAGE)
        started = time.monotonic()
        embedded.ensure_postgres(self.var_dir)
        return f"stopped for {OUTAGE:g} s (fast shutdown), then started ({time.monotonic() - started:.2f} s to answer)"

    def pool_process(self) -> str:
        worker = self.stack.pid("celery worker")
        assert worker is not None
        pool = child_pids(worker)
        os.kill(pool[0], signal.SIGKILL)
        started = time.monotonic()
        self.until(lambda: len(set(child_pids(worker)) - {pool[0]}) >= POOL, 30, "a new pool process")
        return f"SIGKILL to pool process {pool[0]}; Celery started another in {time.monotonic() - started:.2f} s"

    def worker(self) -> str:
        worker = self.stack.pid("celery worker")
        assert worker is not None
        ready = self.stack.output.worker_ready
        os.kill(worker, signal.SIGKILL)
        started = time.monotonic()
        self.until(lambda: self.stack.output.worker_ready > ready, 60, "the worker's restart")
        return f"SIGKILL to the worker's main process {worker}; ready again {time.monotonic() - started:.2f} s later"


def main() -> int:
    from devstack import embedded

    if not embedded.is_embedded(os.environ):
        print("make faults stops and starts the embedded servers: unset DATABASE_URL and REDIS_URL", file=sys.stderr)
        return 2
    os.environ.setdefault("APISERVICE_VAR_DIR", str(ROOT / "var" / "faults"))
    boot(**{**unlimited(), "API_RATE_LIMIT_ANONYMOUS_READ": "100/60+20", "WEBHOOK_ALLOWED_NETWORKS": "127.0.0.0/8",
            "WEBHOOK_SWEEP_INTERVAL": "5", "WEBHOOK_LEASE_SECONDS": "10"})  # fmt: skip
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    var_dir = Path(os.environ["APISERVICE_VAR_DIR"]).resolve()
    database = Database()
    receiver = Receiver()
    key = database.run(lambda: setup(receiver.url, USER))
    stack = Stack(
        var_dir / "faults-stack.log", var_dir / "faults-beat", web_concurrency=os.environ.get("WEB_CONCURRENCY", "3")
    )
    suite = Suite(stack, var_dir, database)
    faults: list[tuple[str, Callable[[], str]]] = [
        ("baseline", suite.baseline),
        ("Redis stopped", suite.redis),
        ("PostgreSQL stopped", suite.postgres),
        ("a pool process killed", suite.pool_process),
        ("the worker killed", suite.worker),
    ]
    phases: list[Phase] = []
    traffic: Traffic | None = None
    why = ""
    began = time.monotonic()
    try:
        print(f"starting gunicorn, a Celery worker and beat (their output: {stack.output.path})...", flush=True)
        stack.start()
        traffic = Traffic(stack.url, key, CLIENTS)
        traffic.start()
        seen = database.run(lambda: delivery_ids(USER))
        for name, inject in faults:
            phase = Phase(name, start=time.monotonic())
            phases.append(phase)
            before = stack.restarts()
            print(f"{name}...", flush=True)
            phase.injected = time.monotonic()
            phase.note = inject()
            phase.recovered = time.monotonic()
            suite.pause(SETTLE)
            phase.end = time.monotonic()
            now = database.run(lambda: delivery_ids(USER))
            phase.expected, seen = now - seen, now
            phase.restarts = {name: count - before[name] for name, count in stack.restarts().items()}
        traffic.stop()
        # Deliveries written after the last phase's snapshot (by requests still in flight) are its own.
        last = database.run(lambda: delivery_ids(USER))
        phases[-1].expected |= last - seen
        everything = set().union(*(phase.expected for phase in phases))
        print("waiting for the webhooks...", flush=True)
        stack.wait(lambda: everything <= set(receiver.ids()), WEBHOOK_WAIT)
    except KeyboardInterrupt:
        why = "interrupted"
    except Exception as exc:  # noqa: BLE001 - the report follows whatever happened
        why = f"{type(exc).__name__}: {exc}"
    finally:
        if traffic is not None:
            traffic.stop()
        stack.stop()
        receiver.stop()
        stop_servers_started_here(var_dir)  # all of them: the suite started them again
    arrivals = receiver.ids()
    broken = bool(why)
    for phase in phases:
        if not phase.end:  # cut short: what it saw so far
            phase.end = phase.recovered = time.monotonic()
        verdict = judge(phase, traffic.between(phase.start, phase.end) if traffic else [], arrivals)
        broken = broken or verdict.broken
        print(table(phase, verdict))
    expected = set().union(*(phase.expected for phase in phases)) if phases else set()
    stray = len(set(arrivals) - expected)
    print(f"\n{len(phases)} phases in {time.monotonic() - began:.0f} s; {stack.output.path} has the stack's output")
    if stray:
        print(f"{stray} webhook(s) arrived that no phase expected")
    if database.reconnects:
        print(f"the suite's own database handle reconnected {database.reconnects} time(s)")
    if why:
        print(f"stopped early: {why}")
    print(
        "verdict: "
        + (
            "FAILED"
            if broken
            else "passed: no 500, no 503 without Retry-After, every request answered, no webhook lost"
        )
    )
    return 1 if broken else 0


if __name__ == "__main__":
    raise SystemExit(main())
