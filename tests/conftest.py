"""Shared fixtures: the embedded PostgreSQL and Redis (var/test/), API clients, live servers."""

from __future__ import annotations

import contextlib
import ipaddress
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
import requests
from django.conf import settings
from rest_framework.test import APIClient

from core.redis import get_redis
from devstack import embedded
from tests.mail import smtp_server  # noqa: F401  (a real SMTP server on loopback, tests/mail.py)

ROOT = Path(__file__).resolve().parent.parent


def pytest_collection_modifyitems(config, items):
    """With ``API_FAST_PATHS=0`` (the reference path), the tests that pin a fast path do not apply."""
    if settings.API_FAST_PATHS:
        return
    skip = pytest.mark.skip(reason="pins a fast path; API_FAST_PATHS=0 runs the reference path")
    for item in items:
        if item.get_closest_marker("fast_path"):
            item.add_marker(skip)


def pytest_sessionfinish(session, exitstatus):
    """Stop the embedded servers this session started (tests/bootstrap.py); ones found running stay up."""
    if settings.EMBEDDED:
        get_redis().connection_pool.disconnect()
        if ("redis", settings.VAR_DIR) in embedded.STARTED:
            embedded.stop_redis(settings.VAR_DIR)
        if ("postgres", settings.VAR_DIR) in embedded.STARTED:
            from django.db import connections

            connections.close_all()
            embedded.stop_postgres(settings.VAR_DIR)


# ------------------------------------------------------------------ no DNS
# Tests send traffic only to loopback and ask no name server anything. The session guard
# replaces socket.getaddrinfo (which asyncio's loop.getaddrinfo, and so aiohttp's resolver
# and the webhook engine's, call at each use), the gethostby* functions and getfqdn (this
# host's own name, which a mail's Message-ID and SMTP's EHLO ask for, is "localhost"): an
# IP literal or "localhost" passes through (no query leaves the machine); any other name is
# refused with the resolver's "unknown name" error and fails the test that asked. Give a
# test its names with the ``name_service`` fixture.

DNS_QUERIES: list[str] = []  # every name the guard refused, in order


def local_name(host: object) -> bool:
    """An IP literal (an IPv6 one may name a zone), "localhost", or no host at all."""
    if host is None:
        return True
    if isinstance(host, bytes):
        host = host.decode("ascii", "replace")
    if not isinstance(host, str):
        return False
    if host.lower() == "localhost":
        return True
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def refuse_name(host: object) -> socket.gaierror:
    DNS_QUERIES.append(repr(host))
    return socket.gaierror(socket.EAI_NONAME, f"tests make no DNS queries ({host!r}): use the name_service fixture")


@pytest.fixture(scope="session", autouse=True)
def _no_dns() -> Iterator[None]:
    real = {
        name: getattr(socket, name) for name in ("getaddrinfo", "gethostbyname", "gethostbyname_ex", "gethostbyaddr")
    }

    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        if not local_name(host):
            raise refuse_name(host)
        return real["getaddrinfo"](host, *args, **kwargs)

    def by_name(function: str) -> Any:
        def guarded(host: Any, *args: Any) -> Any:
            if not local_name(host):
                raise refuse_name(host)
            return real[function](host, *args)

        return guarded

    def gethostbyaddr(host: Any) -> Any:  # a reverse lookup asks DNS for any address but loopback
        try:
            loopback = host == "localhost" or ipaddress.ip_address(host).is_loopback
        except ValueError:
            loopback = False
        if not loopback:
            raise refuse_name(host)
        return real["gethostbyaddr"](host)

    def getfqdn(name: str = "") -> str:  # this host's own name (Django's Message-ID asks): no query
        if not name or name == socket.gethostname():
            return "localhost"
        if not local_name(name):
            raise refuse_name(name)
        return "localhost" if name.lower() == "localhost" else name

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(socket, "getaddrinfo", getaddrinfo)
        patch.setattr(socket, "getfqdn", getfqdn)
        patch.setattr(socket, "gethostbyname", by_name("gethostbyname"))
        patch.setattr(socket, "gethostbyname_ex", by_name("gethostbyname_ex"))
        patch.setattr(socket, "gethostbyaddr", gethostbyaddr)
        yield


@pytest.fixture(autouse=True)
def _asks_no_name_server(_no_dns: None) -> Iterator[None]:
    """Fails the test that made the guard refuse a name (even if the code under test took the
    refusal for an unknown name and the test passed)."""
    before = len(DNS_QUERIES)
    yield
    asked = DNS_QUERIES[before:]
    if asked:
        pytest.fail(f"this test asked for {', '.join(asked)} by DNS; answer it with the name_service fixture")


@pytest.fixture
def name_service(monkeypatch: pytest.MonkeyPatch) -> Any:
    """``name_service({"hooks.example.org": ["93.184.216.34"]})``: what the resolver answers.

    Names given resolve to their addresses; IP literals and "localhost" resolve as usual
    (without a query); any other name is unknown (``socket.gaierror``, as a resolver says
    for ``does-not-resolve.invalid``). The network edge is patched, never the SSRF guard:
    code under test still resolves and checks every address.
    """
    names: dict[str, list[str]] = {}
    guarded = socket.getaddrinfo

    def getaddrinfo(host: Any, port: Any, family: int = 0, type: int = 0, proto: int = 0, flags: int = 0) -> Any:  # noqa: A002
        key = host.decode() if isinstance(host, bytes) else host
        if key in names:
            return [
                (socket.AF_INET6, type or socket.SOCK_STREAM, 6, "", (address, port, 0, 0))
                if ":" in address
                else (socket.AF_INET, type or socket.SOCK_STREAM, 6, "", (address, port))
                for address in names[key]
            ]
        if local_name(host):
            return guarded(host, port, family, type, proto, flags)
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)

    def answer(mapping: dict[str, list[str]]) -> dict[str, list[str]]:
        names.update(mapping)
        return names

    return answer


@pytest.fixture(autouse=True)
def _fresh_redis():
    """Each test starts with an empty Redis: no rate-limit buckets or markers from another test.

    Tests that stop Redis themselves (``stopped_redis``) still get a fresh one first.
    """
    with contextlib.suppress(Exception):  # Redis may be down on purpose; such a test manages that
        get_redis().flushdb()


@pytest.fixture
def rate_limits(monkeypatch, settings):
    """``rate_limits(authenticate="5/3600+0")``: set scope policies for this test.

    In this process through ``settings.API_RATE_LIMITS``; for servers the test starts
    (gunicorn, Celery) through the ``API_RATE_LIMIT_<SCOPE>`` env vars they inherit.
    """
    from ratelimit import conf

    def set_limits(**policies: str) -> dict[str, str]:
        scoped = {name.replace("_", "-"): spec for name, spec in policies.items()}
        env = {conf.env_name(name): spec for name, spec in scoped.items()}
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        settings.API_RATE_LIMITS = {**settings.API_RATE_LIMITS, **scoped}
        return env

    return set_limits


@pytest.fixture
def api_client() -> APIClient:
    return APIClient()


@pytest.fixture
def redis_client():
    """The embedded test Redis, emptied before each test."""
    client = get_redis()
    client.flushdb()
    return client


@pytest.fixture
def stopped_redis() -> Iterator[None]:
    """Stops the embedded Redis for the test, then starts it again."""
    if not settings.EMBEDDED:
        pytest.skip("stops and restarts the embedded Redis; REDIS_URL points elsewhere")
    ours = ("redis", settings.VAR_DIR) in embedded.STARTED
    embedded.stop_redis(settings.VAR_DIR)
    try:
        yield
    finally:
        embedded.ensure_redis(settings.VAR_DIR)
        if not ours:  # found running when the session began: it stays up after the session
            embedded.STARTED.discard(("redis", settings.VAR_DIR))
        get_redis().connection_pool.disconnect()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def service_env(**extra: str) -> dict[str, str]:
    """Environment for a child process (gunicorn, celery) on the test database and Redis."""
    db = settings.DATABASES["default"]  # NAME is pytest-django's test database by now
    port = f"&port={db['PORT']}" if db["PORT"] else ""
    user, password = quote(db["USER"], safe=""), quote(db["PASSWORD"], safe="")
    database_url = f"postgresql://{user}:{password}@/{db['NAME']}?host={db['HOST']}{port}"
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "REDIS_URL": str(settings.REDIS_URL),
        "DJANGO_DEBUG": "0",
        # The same secrets as this process, so keys and tokens made here verify there.
        "DJANGO_SECRET_KEY": str(settings.SECRET_KEY),
        "API_KEY_HMAC_KEY": str(settings.API_AUTH["KEY_HMAC_KEY"]),
        "JWT_SIGNING_KEY": str(settings.SIMPLE_JWT["SIGNING_KEY"]),
        "WEBHOOK_SIGNING_KEYS": str(settings.WEBHOOKS["SIGNING_KEYS"]),
        "APISERVICE_TESTING": "1",
        "PYTHONUNBUFFERED": "1",
    }
    env.update(extra)
    return env


def wait_for_http(url: str, timeout: float = 30.0, process: subprocess.Popen | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"the server for {url} exited with code {process.returncode}")
        try:
            requests.get(url, timeout=5)
            return
        except (requests.ConnectionError, requests.Timeout):
            time.sleep(0.1)
    raise RuntimeError(f"{url} did not answer within {timeout} s")


class LiveServer:
    """A real gunicorn (sync workers) on loopback, serving the test database."""

    def __init__(self, workers: int = 2, **env: str) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = open(settings.VAR_DIR / f"gunicorn-{self.port}.log", "w+")  # noqa: SIM115
        self.process = subprocess.Popen(
            [
                sys.executable, "-m", "gunicorn", "config.wsgi", "--config", str(ROOT / "gunicorn.conf.py"),
                "--bind", f"127.0.0.1:{self.port}", "--workers", str(workers),
            ],
            cwd=ROOT, env=service_env(**env), stdout=self.log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
        try:
            wait_for_http(self.url + "/api/v1/version", process=self.process)
        except RuntimeError as exc:
            output = self.output()[-3000:]
            self.stop()
            raise RuntimeError(f"{exc}\n{output}") from None

    def output(self) -> str:
        self.log.flush()
        self.log.seek(0)
        return self.log.read()

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
        self.log.close()


@pytest.fixture
def live_server_factory(transactional_db):
    """Start gunicorn servers with extra env vars; all are stopped after the test."""
    servers: list[LiveServer] = []

    def start(workers: int = 2, **env: str) -> LiveServer:
        server = LiveServer(workers, **env)
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()


@pytest.fixture
def gunicorn(live_server_factory) -> LiveServer:
    return live_server_factory()


@pytest.fixture
def user(db):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.create_user("alice", email="alice@example.org")


@pytest.fixture
def other_user(db):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.create_user("bob", email="bob@example.org")


# ------------------------------------------------------------------ credentials
# One family for every test that needs a credential: real API keys, made by the service.


@pytest.fixture
def make_key(request, db):
    """``make_key(owner=None, scopes=("*",), name="test", expires=None)``: a real API key.

    Returns the service's ``IssuedKey``: ``.secret`` is the key text, ``.api_key`` the row.
    ``owner`` defaults to the ``user`` fixture (alice).
    """
    from auth.services import api_key_create

    def make(owner=None, scopes=("*",), name="test", **kwargs):
        owner = owner if owner is not None else request.getfixturevalue("user")
        return api_key_create(user=owner, name=name, scopes=list(scopes), **kwargs)

    return make


@pytest.fixture
def api_key(make_key):
    """alice's key with every scope."""
    return make_key()


@pytest.fixture
def auth_headers(api_key):
    """Alice's headers: test-client keyword arguments presenting ``api_key`` (every scope) as
    ``Bearer``. The one fixture for them; ``headers_for(user, scopes)`` makes any other."""
    return {"HTTP_AUTHORIZATION": f"Bearer {api_key.secret}"}


@pytest.fixture
def headers_for(make_key):
    """``headers_for(user, scopes=("*",), scheme="token")``: test-client Authorization with a new key."""

    def make(owner, scopes=("*",), scheme="token"):
        return {"HTTP_AUTHORIZATION": f"{scheme} {make_key(owner, scopes).secret}"}

    return make


@pytest.fixture
def redis_round_trips(monkeypatch):
    """Every round trip to Redis this process makes: single commands by name, pipelines as one."""
    import redis
    from redis.client import Pipeline

    trips: list[str] = []
    command, execute = redis.Redis.execute_command, Pipeline.execute

    def counting_command(self, *args, **options):
        trips.append(str(args[0]))
        return command(self, *args, **options)

    def counting_pipeline(self, *args, **options):
        trips.append("PIPELINE")
        return execute(self, *args, **options)

    monkeypatch.setattr(redis.Redis, "execute_command", counting_command)
    monkeypatch.setattr(Pipeline, "execute", counting_pipeline)
    return trips


@pytest.fixture
def sql_round_trips(monkeypatch):
    """Every statement this process sends to PostgreSQL, as psycopg sees it: Django's queries
    and the ones Django sends for itself (a health check's ``SELECT 1``) that
    ``django_assert_num_queries`` does not count."""
    import psycopg

    sent: list[str] = []
    execute = psycopg.Cursor.execute

    def counting(self, query, *args, **kwargs):
        sent.append(query if isinstance(query, str) else query.as_string(self))
        return execute(self, query, *args, **kwargs)

    monkeypatch.setattr(psycopg.Cursor, "execute", counting)
    return sent


def wsgi_call(
    method: str, path: str, headers: dict[str, str] | None = None, body: bytes = b"", *, handler: Any = None
) -> tuple[str, bytes]:
    """One request through Django's WSGI handler as gunicorn makes it: the request_started and
    request_finished signals fire (the test client turns off their connection handling).
    ``handler``: a ``WSGIHandler`` to reuse (by default a new one, with the current MIDDLEWARE)."""
    import io

    from django.core.handlers.wsgi import WSGIHandler

    route, _, query = path.partition("?")
    environ = {
        "REQUEST_METHOD": method, "PATH_INFO": route, "QUERY_STRING": query, "SERVER_NAME": "testserver",
        "SERVER_PORT": "80", "SERVER_PROTOCOL": "HTTP/1.1", "REMOTE_ADDR": "127.0.0.1", "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(body), "CONTENT_LENGTH": str(len(body)), "wsgi.errors": io.StringIO(),
        "CONTENT_TYPE": "application/json",
        **{"HTTP_" + name.upper().replace("-", "_"): value for name, value in (headers or {}).items()},
    }  # fmt: skip
    statuses: list[str] = []

    def start_response(status: str, headers: Any, exc_info: Any = None) -> Any:
        statuses.append(status)

    answer = (handler or WSGIHandler())(environ, start_response)
    try:
        return statuses[0], b"".join(answer)
    finally:
        answer.close()
