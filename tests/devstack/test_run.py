"""`make run` (devstack/run.py): what it says when it cannot start."""

import os
import socket
import subprocess
import sys

from tests.conftest import ROOT


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


def test_the_banner_waits_for_health_then_repeats_once_the_workers_output_settles(monkeypatch, capsys):
    from devstack import run

    clock = Clock()
    monkeypatch.setattr(run.time, "monotonic", clock)
    output = run.Output()
    banner = run.Banner("BANNER", output)
    banner.tick(lambda: False)  # gunicorn does not answer yet
    assert capsys.readouterr().out == ""
    banner.tick(lambda: True)
    assert capsys.readouterr().out == "BANNER\n"
    clock.now, output.last = 101.0, 101.0  # the worker's start-up output follows...
    banner.tick(lambda: True)
    assert capsys.readouterr().out == ""  # ...and is still coming
    clock.now = 101.0 + run.SETTLE_SECONDS
    banner.tick(lambda: True)
    assert capsys.readouterr().out == "BANNER\n"
    clock.now, output.last = 200.0, 198.0  # later output (traffic) never brings it back
    banner.tick(lambda: True)
    assert capsys.readouterr().out == ""


def test_the_banner_is_not_repeated_when_nothing_followed_it(monkeypatch, capsys):
    from devstack import run

    clock = Clock()
    monkeypatch.setattr(run.time, "monotonic", clock)
    output = run.Output()
    output.last = 99.0  # everything was printed before the service answered
    banner = run.Banner("BANNER", output)
    banner.tick(lambda: True)
    clock.now = 100.0 + run.STARTUP_WINDOW_SECONDS + 1
    banner.tick(lambda: True)
    clock.now, output.last = 130.0, 125.0  # a request's log line, long after the start-up
    banner.tick(lambda: True)
    assert capsys.readouterr().out == "BANNER\n"
