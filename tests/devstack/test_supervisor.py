"""devstack.supervisor: restarts what dies, gives up on what keeps dying, leaves no orphans."""

import io
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from devstack.supervisor import Child, GaveUp, Output, Program, RestartPolicy, Supervisor
from tests.conftest import ROOT

linux_only = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc; PR_SET_PDEATHSIG is Linux's")
SLEEPER = [sys.executable, "-c", "import time; time.sleep(120)"]
QUICK = RestartPolicy(first_delay=0.01, max_delay=0.05, stable_after=60, max_crashes=3, crash_window=120)


def alive(pid: int) -> bool:
    """Whether ``pid`` runs (a zombie, dead but not yet reaped by whoever adopted it, does not)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid and fields[0] != "Z":
            found.append(int(entry.name))
    return found


def descendants(pid: int) -> list[int]:
    found = children(pid)
    for child in list(found):
        found += descendants(child)
    return found


def until(condition, timeout: float = 20.0, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"still not {what or condition}")
        time.sleep(0.05)


def argv(pid: int) -> list[str]:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().decode().split("\0")
    except OSError:
        return []


def exited(child: Child) -> bool:
    return child.process is not None and child.process.poll() is not None


def test_the_backoff_doubles_from_half_a_second_to_thirty():
    policy = RestartPolicy()
    assert [policy.delay(n) for n in range(1, 10)] == [0.5, 1, 2, 4, 8, 16, 30, 30, 30]


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@linux_only
def test_a_killed_process_is_restarted_after_its_backoff_and_only_it():
    clock, sink = Clock(), io.BytesIO()
    supervisor = Supervisor([Program("one", SLEEPER), Program("two", SLEEPER)], Output(sink), RestartPolicy(), clock)
    supervisor.start()
    try:
        first, other = supervisor.children["one"].pid, supervisor.children["two"].pid
        assert first is not None and other is not None
        os.kill(first, signal.SIGKILL)
        until(lambda: exited(supervisor.children["one"]), what="reaped")
        assert supervisor.poll() is None  # noted; restarting in 0.5 s
        assert supervisor.children["one"].process is None
        clock.now += 0.4
        supervisor.poll()
        assert supervisor.children["one"].process is None  # not yet
        clock.now += 0.1
        supervisor.poll()
        one = supervisor.children["one"]
        assert one.restarts == 1 and one.pid not in (None, first) and alive(one.pid)
        assert supervisor.children["two"].restarts == 0 and supervisor.children["two"].pid == other
        text = sink.getvalue().decode()
        assert text.count("-> one exited with code -9; restarting it in 0.5 s") == 1
        assert text.count("-> restarting one (restart 1)") == 1
        # Killed again at once: the backoff doubles; after a minute up, it starts over.
        os.kill(one.pid, signal.SIGKILL)
        until(lambda: exited(one), what="reaped")
        supervisor.poll()
        assert "-> one exited with code -9; restarting it in 1 s" in sink.getvalue().decode()
        clock.now += 1
        supervisor.poll()
        clock.now += 61
        os.kill(one.pid, signal.SIGKILL)
        until(lambda: exited(one), what="reaped")
        supervisor.poll()
        assert sink.getvalue().decode().endswith("-> one exited with code -9; restarting it in 0.5 s\n")
    finally:
        supervisor.stop()
    pids = [child.pid for child in supervisor.children.values()]
    assert not any(alive(pid) for pid in pids if pid is not None)


@linux_only
def test_a_process_that_keeps_exiting_stops_everything_with_its_last_lines():
    crashing = Program("crasher", [sys.executable, "-c", "print('cannot start: no such setting'); raise SystemExit(3)"])
    supervisor = Supervisor([crashing, Program("steady", SLEEPER)], Output(io.BytesIO()), QUICK)
    supervisor.start()
    gave_up = None
    try:
        deadline = time.monotonic() + 20
        while gave_up is None and time.monotonic() < deadline:
            gave_up = supervisor.poll()
            time.sleep(0.02)
    finally:
        supervisor.stop()
    assert gave_up == GaveUp("crasher", 3, 3, ["cannot start: no such setting"])
    assert supervisor.children["crasher"].restarts == 2
    assert supervisor.children["steady"].restarts == 0
    steady = supervisor.children["steady"].pid
    assert steady is not None and not alive(steady)
    assert gave_up.message(120).splitlines() == [
        "-> crasher exited 3 times within 120 s (last with code 3); stopping everything",
        "-> its last lines of output:",
        "   | cannot start: no such setting",
    ]


SUPERVISOR_SCRIPT = """
import sys
from devstack.supervisor import Program, Supervisor, supervise
sleeper = [sys.executable, "-c", "import time; time.sleep(120)"]
sys.exit(supervise(Supervisor([Program("one", sleeper), Program("two", sleeper)])))
"""


def started_supervisor(tmp_path) -> tuple[subprocess.Popen, list[int]]:
    script = tmp_path / "supervise.py"
    script.write_text(SUPERVISOR_SCRIPT)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    process = subprocess.Popen(
        [sys.executable, str(script)], cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        start_new_session=True,  # its own group, as a terminal's foreground job is
    )  # fmt: skip
    until(lambda: len(children(process.pid)) == 2, what="two children started")
    return process, children(process.pid)


@linux_only
def test_ctrl_c_stops_every_child_and_restarts_none(tmp_path):
    process, pids = started_supervisor(tmp_path)
    os.killpg(process.pid, signal.SIGINT)  # what Ctrl-C does: the whole foreground group
    output, _ = process.communicate(timeout=30)
    assert process.returncode == 0
    assert not any(alive(pid) for pid in pids)
    text = output.decode()
    assert text.count("-> starting") == 2 and "restarting" not in text and "exited" not in text


@linux_only
def test_a_killed_supervisor_leaves_no_child_behind(tmp_path):
    process, pids = started_supervisor(tmp_path)
    os.kill(process.pid, signal.SIGKILL)
    process.wait(10)
    until(lambda: not any(alive(pid) for pid in pids), what="children gone after their supervisor")
