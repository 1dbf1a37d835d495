"""`make run` (devstack/run.py): what it says when it cannot start; it keeps its processes running, none outlive it."""

import os
import signal
import socket
import subprocess
import sys

import pytest

from tests.conftest import ROOT, free_port, service_env
from tests.devstack.test_supervisor import alive, argv, children, descendants, linux_only, until


def test_a_taken_port_stops_make_run_with_a_clear_message(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "APISERVICE_TESTING")}
        env.update(PORT=str(port), APISERVICE_VAR_DIR=str(tmp_path / "var"))
        result = subprocess.run(
            [sys.executable, "-m", "devstack.run"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
        )
    assert result.returncode == 2
    assert f"port {port} on 127.0.0.1 is already in use" in result.stderr
    assert f"PORT={port + 1} make run" in result.stderr
    assert not (tmp_path / "var").exists(), "nothing was started"


class Clock:
    def __init__(self):
        self.now = 100.0

    def __call__(self):
        return self.now


def test_the_banner_is_printed_once_after_health_the_worker_and_the_start_up_output(monkeypatch, capsys):
    from devstack import run

    clock = Clock()
    monkeypatch.setattr(run.time, "monotonic", clock)
    output = run.Output()
    banner = run.Banner("BANNER", output)
    banner.tick(lambda: False)  # gunicorn does not answer yet
    clock.now = 105.0
    banner.tick(lambda: True)  # it answers; the worker has not said it is ready
    assert capsys.readouterr().out == ""
    clock.now, output.last, output.worker_ready = 106.0, 106.0, True  # "celery@host ready."
    banner.tick(lambda: True)
    assert capsys.readouterr().out == ""  # its start-up output may still be coming
    clock.now = 106.0 + run.SETTLE_SECONDS
    banner.tick(lambda: True)
    assert capsys.readouterr().out == "BANNER\n"
    for now in (120.0, 200.0, 1000.0):  # later output (traffic) never brings it back
        clock.now, output.last = now, now - run.SETTLE_SECONDS
        banner.tick(lambda: True)
    assert capsys.readouterr().out == ""


def test_a_worker_that_never_gets_ready_delays_the_banner_only_so_long(monkeypatch, capsys):
    from devstack import run

    clock = Clock()
    monkeypatch.setattr(run.time, "monotonic", clock)
    output = run.Output()
    banner = run.Banner("BANNER", output)
    banner.tick(lambda: True)
    clock.now = 100.0 + run.STARTUP_WINDOW_SECONDS - 1
    banner.tick(lambda: True)
    assert capsys.readouterr().out == ""
    clock.now = 100.0 + run.STARTUP_WINDOW_SECONDS
    banner.tick(lambda: True)
    clock.now += 100
    banner.tick(lambda: True)
    assert capsys.readouterr().out == "BANNER\n"


def test_the_worker_is_ready_when_celery_says_so():
    from devstack import run

    assert run.WORKER_READY.search(b"[2026-12-06 19:30:01,000: INFO/MainProcess] celery@host-1.example ready.\n")
    assert not run.WORKER_READY.search(b"[2026-12-06 19:30:00,000: INFO/MainProcess] Connected to redis+socket://")


@pytest.mark.slow
@linux_only
def test_make_run_restarts_a_killed_worker_and_a_killed_make_run_leaves_no_process(tmp_path, django_db_setup):
    """The real supervisor, gunicorn, worker and beat (on the test database and Redis)."""
    log = tmp_path / "run.log"
    env = service_env(PORT=str(free_port()), APISERVICE_VAR_DIR=str(tmp_path), WEB_CONCURRENCY="1")
    with open(log, "wb") as sink:
        run = subprocess.Popen(
            [sys.executable, "-m", "devstack.run"], cwd=ROOT, env=env, stdout=sink, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
    try:
        until(lambda: "Ctrl-C stops everything." in log.read_text(), timeout=90, what="the banner")
        (worker,) = [pid for pid in children(run.pid) if "worker" in argv(pid)]
        pool = children(worker)
        assert len(pool) == 2  # --concurrency 2
        os.kill(worker, signal.SIGKILL)
        until(lambda: log.read_text().count(" ready.") == 2, timeout=60, what="a second worker ready")
        text = log.read_text()
        assert text.count("-> celery worker exited with code -9; restarting it in 0.5 s") == 1
        assert text.count("-> restarting celery worker (restart 1)") == 1
        assert text.count("exited with code") == 1  # gunicorn and beat ran on
        until(lambda: not any(alive(pid) for pid in pool), what="the killed worker's pool gone")
        everything = descendants(run.pid)
        kinds = [next(kind for kind in ("gunicorn", "worker", "beat", "?") if kind in argv(pid) or kind == "?")
                 for pid in everything]  # fmt: skip
        assert sorted(kinds) == ["beat", "gunicorn", "gunicorn", "worker", "worker", "worker"], kinds
        os.kill(run.pid, signal.SIGKILL)
        run.wait(10)
        until(lambda: not any(alive(pid) for pid in everything), timeout=30, what="every process gone")
    finally:
        if run.poll() is None:
            os.killpg(run.pid, signal.SIGTERM)
            run.wait(30)
