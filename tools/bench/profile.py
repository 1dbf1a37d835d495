"""Where a request's time goes, in-process: Django's WSGI handler called directly, as gunicorn
calls it (every middleware, the request signals), without HTTP parsing or wrk.

    PYTHONPATH=tools .venv/bin/python -m bench.profile list            # best-of timing, us/request
    PYTHONPATH=tools .venv/bin/python -m bench.profile detail --profile  # cProfile, top functions
    PYTHONPATH=tools .venv/bin/python -m bench.profile floor           # the floor view, same harness
    PYTHONPATH=tools .venv/bin/python -m bench.profile detail --gc [--freeze]  # garbage collections per request
    PYTHONPATH=tools .venv/bin/python -m bench.profile detail --instructions  # CPU instructions per request

``--instructions`` runs the row under valgrind's callgrind (Debian's ``valgrind``), counting
only the measured requests (100, or ``PROFILE_REQUESTS``; collection is switched on inside
``functools.reduce``, which drives them) after ``gc.freeze()`` as in a gunicorn worker. The
count does not depend on the machine's load, so two versions of the code can be compared
to a fraction of a per cent where timings on a shared machine cannot; it does not see cache
misses or the time spent in system calls. About a minute per row.

Rows: floor, version, list, deep, key (the list with an API key), detail, authenticate.
Log lines go to /dev/null as under ``make bench``. Figures from different runs are not
comparable on a shared machine; compare within one run, or ratios to ``floor``.
"""

from __future__ import annotations

import cProfile
import functools
import gc
import io
import json
import logging
import os
import pstats
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from typing import Any

from bench.boot import boot, unlimited

ROWS = ("floor", "version", "list", "deep", "key", "detail", "authenticate")


def environ(method: str, path: str, headers: dict[str, str], body: bytes) -> dict[str, Any]:
    route, _, query = path.partition("?")
    env = {
        "REQUEST_METHOD": method, "PATH_INFO": route, "QUERY_STRING": query, "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000", "SERVER_PROTOCOL": "HTTP/1.1", "REMOTE_ADDR": "127.0.0.1", "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(body), "CONTENT_LENGTH": str(len(body)), "wsgi.errors": sys.stderr,
        "HTTP_HOST": "127.0.0.1:8000", "HTTP_USER_AGENT": "bench.profile",
        **{"HTTP_" + name.upper().replace("-", "_"): value for name, value in headers.items()},
    }  # fmt: skip
    if body:
        env["CONTENT_TYPE"] = "application/json"
    return env


def request_for(row: str) -> tuple[Callable[..., Any], tuple[str, str, dict[str, str], bytes]]:
    if row == "floor":
        os.environ["DJANGO_SETTINGS_MODULE"] = "bench.floor.settings"
        from bench.floor.wsgi import application

        return application, ("GET", "/floor", {}, b"")
    boot(**unlimited())
    from bench.run import seed

    creds = seed()
    from config.wsgi import application as service

    jwt = {"Authorization": f"Bearer {creds['jwt']}"}
    return service, {
        "version": ("GET", "/api/v1/version", {}, b""),
        "list": ("GET", "/api/v1/repos", jwt, b""),
        "deep": ("GET", f"/api/v1/repos?start={creds['deep']}", jwt, b""),
        "key": ("GET", "/api/v1/repos", {"Authorization": f"token {creds['key']}"}, b""),
        "detail": ("GET", f"/api/v1/repos/{creds['repo']}", jwt, b""),
        "authenticate": ("POST", "/api/v1/authenticate", {}, json.dumps({"apiKey": creds["key"]}).encode()),
    }[row]


def main() -> int:
    row = sys.argv[1] if len(sys.argv) > 1 else "list"
    if row not in ROWS:
        print(f"unknown row {row!r}; one of {', '.join(ROWS)}")
        return 2
    if "--instructions" in sys.argv and not os.environ.get(UNDER_CALLGRIND):
        return _count_instructions(row)
    application, request = request_for(row)
    sink = open(os.devnull, "w")  # noqa: SIM115 - for the life of the process
    for name in [None, *logging.root.manager.loggerDict]:
        for handler in getattr(logging.getLogger(name), "handlers", []):
            if isinstance(handler, logging.StreamHandler):
                handler.setStream(sink)
    statuses: list[str] = []

    def one() -> None:
        answer = application(environ(*request), lambda status, headers, exc_info=None: statuses.append(status))
        b"".join(answer)
        answer.close()

    for _ in range(100):
        one()
    print(f"{row}: {statuses[-1]}")
    if os.environ.get(UNDER_CALLGRIND):
        gc.collect()
        gc.freeze()
        count = int(os.environ.get("PROFILE_REQUESTS", "100"))
        functools.reduce(lambda _, __: one(), range(count), None)  # callgrind counts inside reduce only
        print(f"last status: {statuses[-1]}")
        return 0
    count = int(os.environ.get("PROFILE_REQUESTS", "1000"))
    if "--profile" in sys.argv:
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(count):
            one()
        profiler.disable()
        pstats.Stats(profiler).sort_stats(os.environ.get("PROFILE_SORT", "cumulative")).print_stats(
            int(os.environ.get("PROFILE_LINES", "45"))
        )
        return 0
    if "--gc" in sys.argv:
        _collections(one, count, freeze="--freeze" in sys.argv)
        return 0
    best = min(_batch(one, count) for _ in range(7))
    print(f"{row}: {best:.0f} us/request (best of 7 batches of {count})")
    return 0


UNDER_CALLGRIND = "BENCH_PROFILE_UNDER_CALLGRIND"


def _count_instructions(row: str) -> int:
    """Run this row again under callgrind and print the instructions of one request."""
    valgrind = shutil.which("valgrind")
    if valgrind is None:
        print("--instructions needs valgrind (apt-get install valgrind)")
        return 2
    count = int(os.environ.get("PROFILE_REQUESTS", "100"))
    with tempfile.TemporaryDirectory() as directory:
        out = os.path.join(directory, "callgrind.out")
        child = subprocess.run(
            [valgrind, "--tool=callgrind", "--toggle-collect=functools_reduce", f"--callgrind-out-file={out}",
             sys.executable, "-m", "bench.profile", row],
            env={**os.environ, UNDER_CALLGRIND: "1", "PROFILE_REQUESTS": str(count)},
            check=True, capture_output=True, text=True,
        )  # fmt: skip
        with open(out) as dump:
            totals = re.search(r"^(?:summary|totals): (\d+)", dump.read(), re.M)
    status = re.search(r"^last status: (.*)$", child.stdout, re.M)
    if status is None or not status.group(1).startswith("2"):
        # e.g. another bench process seeded meanwhile: seeding replaces the bench user's key
        print(f"{row}: the measured requests were answered {status.group(1) if status else '?'}; no count")
        return 1
    if totals is None:
        print("callgrind wrote no totals")
        return 1
    print(
        f"{row}: {int(totals.group(1)) / count:,.0f} instructions/request (callgrind, {count} requests, {status.group(1)})"
    )
    return 0


def _batch(one: Callable[[], None], count: int) -> float:
    started = time.perf_counter()
    for _ in range(count):
        one()
    return (time.perf_counter() - started) / count * 1e6


def _collections(one: Callable[[], None], count: int, *, freeze: bool) -> None:
    """Garbage collections per request, by generation, timed with ``gc.callbacks``; with
    ``--freeze``, after ``gc.freeze()`` as gunicorn's ``post_worker_init`` does."""
    if freeze:
        gc.collect()
        gc.freeze()
    runs, seconds, started = [0, 0, 0], [0.0, 0.0, 0.0], [0.0]

    def timed(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            started[0] = time.perf_counter()
        else:
            runs[info["generation"]] += 1
            seconds[info["generation"]] += time.perf_counter() - started[0]

    gc.callbacks.append(timed)
    try:
        for _ in range(count):
            one()
    finally:
        gc.callbacks.remove(timed)
    print(f"tracked objects: {len(gc.get_objects())}, frozen: {gc.get_freeze_count()}")
    for generation in range(3):
        print(
            f"generation {generation}: {runs[generation] / count:.3f} collections/request, "
            f"{seconds[generation] / count * 1e6:.1f} us/request"
        )


if __name__ == "__main__":
    raise SystemExit(main())
