"""Runs a few long-lived processes, restarts the ones that die, and lets none outlive it.

``make run`` (devstack/run.py), ``make load`` and ``make faults`` (tools/bench/) run gunicorn,
a Celery worker and Celery beat under a :class:`Supervisor`:

- **A process that exits is started again**, after a backoff: 0.5 s, doubling up to 30 s
  (:class:`RestartPolicy`); a process that stayed up 60 s starts the backoff over. Each exit
  and restart is one line (``-> celery worker exited with code -9; restarting it in 0.5 s``).
- **One that keeps exiting stops everything**: the 5th exit within 120 s ends the run with
  a line naming it and its last lines of output (:class:`GaveUp`).
- **Ctrl-C (SIGINT) or SIGTERM stops everything and restarts nothing** (:func:`supervise`).
  Each child is the leader of a process group of its own, so the terminal's Ctrl-C reaches
  the supervisor alone, which stops the children in order.
- **No child outlives the supervisor.** On Linux each child asks the kernel for SIGTERM when
  the supervisor dies, however it dies (``PR_SET_PDEATHSIG``, set between fork and exec), and
  stops its own children as it does on Ctrl-C (gunicorn its workers, a Celery worker its pool,
  whose processes hold SIGKILL for their parent's death). The signal follows the *thread* that
  started the child, so a supervisor starts and restarts its children from the one thread that
  runs it for as long as they live. When a child dies, what is left of its process group (a
  killed gunicorn's workers, which still hold the port) is stopped before it starts again.
  Other systems have no such signal: there only a supervisor that lives to stop them does.

No Django or app imports: the entry points use it before settings load.
"""

from __future__ import annotations

import collections
import contextlib
import ctypes
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, BinaryIO

PR_SET_PDEATHSIG = 1  # <linux/prctl.h>
TAIL_LINES = 20
STOP_SECONDS = 20.0
READ_TO_END_SECONDS = 2.0


@dataclass(frozen=True)
class RestartPolicy:
    """When a process that exited starts again, and when its exits stop the whole run."""

    first_delay: float = 0.5
    max_delay: float = 30.0
    stable_after: float = 60.0  # up this long: its next exit starts the backoff over
    max_crashes: int = 5  # this many exits ...
    crash_window: float = 120.0  # ... within this many seconds stop everything

    def delay(self, consecutive: int) -> float:
        """The wait before the restart that follows the ``consecutive``-th exit in a row (1, 2, ...)."""
        return min(self.max_delay, self.first_delay * 2 ** max(0, consecutive - 1))


@dataclass
class Program:
    """One process to keep running: ``name`` in messages, its command line and environment."""

    name: str
    argv: list[str]
    env: dict[str, str] | None = None
    cwd: Path | None = None


@dataclass
class Child:
    """A program's current process and its history."""

    program: Program
    process: subprocess.Popen[bytes] | None = None
    started_at: float = 0.0
    restart_at: float | None = None
    consecutive: int = 0  # exits in a row, each before it had stayed up stable_after
    restarts: int = 0
    reader: threading.Thread | None = None  # copies its output
    leftovers: int | None = None  # the process group of its last process, killed at the restart
    exits: collections.deque[float] = field(default_factory=collections.deque)  # within crash_window
    tail: collections.deque[bytes] = field(default_factory=lambda: collections.deque(maxlen=TAIL_LINES))

    @property
    def pid(self) -> int | None:
        return None if self.process is None else self.process.pid


@dataclass(frozen=True)
class GaveUp:
    """A process exited ``policy.max_crashes`` times within ``policy.crash_window`` seconds."""

    name: str
    exits: int
    returncode: int
    tail: list[str]

    def message(self, window: float) -> str:
        lines = [
            f"-> {self.name} exited {self.exits} times within {window:g} s (last with code {self.returncode}); "
            "stopping everything"
        ]
        if self.tail:
            lines.append("-> its last lines of output:")
            lines += [f"   | {line}" for line in self.tail]
        return "\n".join(lines)


class Output:
    """Copies the children's output to one sink (stdout by default), line by line; keeps each
    child's last lines and notes when the last line came."""

    def __init__(self, sink: BinaryIO | None = None) -> None:
        self.sink = sink
        self.lock = threading.Lock()
        self.last = time.monotonic()

    def follow(self, stream: IO[bytes], tail: collections.deque[bytes]) -> threading.Thread:
        reader = threading.Thread(target=self._copy, args=(stream, tail), daemon=True)
        reader.start()
        return reader

    def _copy(self, stream: IO[bytes], tail: collections.deque[bytes]) -> None:
        for line in iter(stream.readline, b""):
            with self.lock:
                sink = self.sink or sys.stdout.buffer
                sink.write(line)
                sink.flush()
                self.last = time.monotonic()
                tail.append(line)
                self.seen(line)
        stream.close()

    def seen(self, line: bytes) -> None:
        """Called with each line, under the lock (a subclass watches for a line)."""

    def print(self, text: str) -> None:
        with self.lock:
            if self.sink is None:
                print(text, flush=True)
            else:
                self.sink.write(text.encode() + b"\n")
                self.sink.flush()


def die_with_parent() -> Callable[[], None] | None:
    """A ``preexec_fn`` that has the kernel send the child SIGTERM when its parent dies (Linux).

    Looked up here, before any fork: the function the child runs only calls prctl and getppid.
    A parent that died between the fork and the prctl sent nothing: the child then stops itself.
    """
    if not sys.platform.startswith("linux"):
        return None
    try:
        prctl = ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return None
    prctl.argtypes = [ctypes.c_int, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong]
    prctl.restype = ctypes.c_int
    parent = os.getpid()

    def preexec() -> None:
        prctl(PR_SET_PDEATHSIG, int(signal.SIGTERM), 0, 0, 0)
        if os.getppid() != parent:
            os.kill(os.getpid(), signal.SIGTERM)

    return preexec


def signal_group(pgid: int, sig: int) -> bool:
    """Send ``sig`` to the process group ``pgid``; False when no process is left in it."""
    try:
        os.killpg(pgid, sig)
    except ProcessLookupError:
        return False
    except PermissionError:  # a member we may not signal (none of ours): the group is not empty
        return True
    return True


def kill_leftovers(child: Child) -> None:
    if child.leftovers is not None:
        signal_group(child.leftovers, signal.SIGKILL)
        child.leftovers = None


class Supervisor:
    """Starts the programs, restarts those that exit (:meth:`poll`), stops them all (:meth:`stop`).

    Call every method from the one thread that runs the supervisor (see the module's docstring).
    """

    def __init__(
        self,
        programs: list[Program],
        output: Output | None = None,
        policy: RestartPolicy | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.children = {program.name: Child(program) for program in programs}
        self.output = output or Output()
        self.policy = policy or RestartPolicy()
        self.clock = clock
        self.stopping = False

    def start(self) -> None:
        for child in self.children.values():
            self._spawn(child, f"-> starting {child.program.name}")

    def _spawn(self, child: Child, message: str) -> None:
        program = child.program
        self.output.print(message)
        # A session of its own: Ctrl-C reaches only the supervisor, and the child's own
        # children share its process group, which can be stopped as one.
        process = subprocess.Popen(
            program.argv,
            cwd=program.cwd,
            env=program.env,
            start_new_session=True,
            preexec_fn=die_with_parent(),  # noqa: PLW1509 - only prctl and getppid, looked up before the fork
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        assert process.stdout is not None
        child.tail = collections.deque(maxlen=TAIL_LINES)  # this process's lines
        child.reader = self.output.follow(process.stdout, child.tail)
        child.process, child.started_at, child.restart_at = process, self.clock(), None

    def poll(self) -> GaveUp | None:
        """Notes exits and restarts what is due; a :class:`GaveUp` when a process keeps exiting."""
        if self.stopping:
            return None
        now = self.clock()
        for child in self.children.values():
            if child.process is None:
                if child.restart_at is not None and now >= child.restart_at:
                    kill_leftovers(child)
                    child.restarts += 1
                    self._spawn(child, f"-> restarting {child.program.name} (restart {child.restarts})")
                continue
            code = child.process.poll()
            if code is None:
                continue
            gave_up = self._exited(child, code, now)
            if gave_up is not None:
                return gave_up
        return None

    def _exited(self, child: Child, code: int, now: float) -> GaveUp | None:
        assert child.process is not None
        pgid = child.process.pid
        child.process = None
        # What the process leaves (gunicorn's workers, a pool) goes with it: TERM now, KILL at
        # the restart; a killed gunicorn's workers would otherwise keep the port.
        signal_group(pgid, signal.SIGTERM)
        child.leftovers = pgid
        child.exits.append(now)
        while child.exits and now - child.exits[0] > self.policy.crash_window:
            child.exits.popleft()
        if len(child.exits) >= self.policy.max_crashes:
            if child.reader is not None:  # its last lines, read to the end (unless a leftover holds the pipe)
                child.reader.join(READ_TO_END_SECONDS)
            tail = [line.decode("utf-8", "replace").rstrip() for line in child.tail]
            return GaveUp(child.program.name, len(child.exits), code, tail)
        child.consecutive = 1 if now - child.started_at >= self.policy.stable_after else child.consecutive + 1
        delay = self.policy.delay(child.consecutive)
        child.restart_at = now + delay
        self.output.print(f"-> {child.program.name} exited with code {code}; restarting it in {delay:g} s")
        return None

    def stop(self, timeout: float = STOP_SECONDS) -> None:
        """SIGTERM every child, then SIGKILL what is left of each one's group after ``timeout`` seconds.

        The child alone gets SIGTERM, as on Ctrl-C in its own terminal: gunicorn stops its
        workers and a Celery worker its pool when they are done, which a signal to the whole
        group would cut short (a pool process killed mid-task).
        """
        self.stopping = True
        running = [child for child in self.children.values() if child.process is not None]
        for child in running:
            assert child.process is not None
            if child.process.poll() is None:
                child.process.terminate()
        deadline = time.monotonic() + timeout
        for child in running:
            assert child.process is not None
            try:
                child.process.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                self.output.print(f"-> {child.program.name} did not stop in time; killing it")
            signal_group(child.process.pid, signal.SIGKILL)  # anything it left behind
            with contextlib.suppress(subprocess.TimeoutExpired):
                child.process.wait(5)
        for child in self.children.values():
            kill_leftovers(child)


def supervise(supervisor: Supervisor, *, tick: Callable[[], None] = lambda: None, interval: float = 0.2) -> int:
    """Start the programs and keep them running until SIGINT or SIGTERM (0) or one keeps exiting (1).

    Stops every child before returning, whichever way it ends.
    """
    stop_requested = False

    def on_signal(signum: int, frame: object) -> None:
        nonlocal stop_requested
        stop_requested = True
        supervisor.stopping = True  # nothing restarts from now on

    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
    gave_up: GaveUp | None = None
    try:
        supervisor.start()
        while not stop_requested:
            gave_up = supervisor.poll()
            if gave_up is not None:
                supervisor.output.print(gave_up.message(supervisor.policy.crash_window))
                break
            tick()
            time.sleep(interval)
    finally:
        supervisor.output.print("-> stopping")
        supervisor.stop()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return 1 if gave_up is not None else 0
