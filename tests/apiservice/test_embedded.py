"""Embedded servers: started once, reused by every process, recovered after a killed run."""

import os
import signal
import subprocess
import sys
import time

import psycopg
import pytest
import redis
import requests

from apiservice import embedded
from tests.conftest import ROOT, free_port, wait_for_http


@pytest.fixture
def var_dir(tmp_path_factory):
    path = tmp_path_factory.mktemp("var")
    yield path
    embedded.stop_all(path)


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


def test_postgres_is_reused_and_keeps_its_data(var_dir):
    url = embedded.ensure_postgres(var_dir)
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("CREATE TABLE kept (id int)")
    assert embedded.ensure_postgres(var_dir) == url
    assert embedded.stop_postgres(var_dir)
    url = embedded.ensure_postgres(var_dir)  # a second run reuses the data directory
    with psycopg.connect(url) as conn:
        assert conn.execute("SELECT count(*) FROM kept").fetchone() == (0,)


def test_local_secrets_are_generated_once_and_private(var_dir):
    first = embedded.local_secret(var_dir, "thing")
    assert embedded.local_secret(var_dir, "thing") == first and len(first) > 40
    assert (var_dir / "secrets" / "thing").stat().st_mode & 0o077 == 0


@pytest.mark.slow
def test_make_run_serves_and_ctrl_c_stops_everything(var_dir):
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "APISERVICE_TESTING")}
    env.update(PORT=str(port), APISERVICE_VAR_DIR=str(var_dir), WEB_CONCURRENCY="1")
    run = subprocess.Popen(
        [sys.executable, "-m", "apiservice.run"], cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        text=True, start_new_session=True,
    )  # fmt: skip
    try:
        wait_for_http(f"http://127.0.0.1:{port}/api/v1/version", timeout=90, process=run)
        key = (var_dir / "secrets" / "demo_api_key").read_text().strip()
        keys = requests.get(
            f"http://127.0.0.1:{port}/api/v1/keys", headers={"Authorization": f"token {key}"}, timeout=10
        )
        assert keys.status_code == 200
    finally:
        os.killpg(run.pid, signal.SIGINT)  # what Ctrl-C sends to the terminal's process group
        output, _ = run.communicate(timeout=60)
    assert run.returncode == 0, output[-2000:]
    assert f"API root   http://127.0.0.1:{port}/api/v1/" in output
    assert "-> stopped" in output
    leftovers = subprocess.run(["pgrep", "-f", str(var_dir)], capture_output=True, text=True).stdout.split()
    assert leftovers == [], "nothing the run started is left running"
    with pytest.raises(requests.ConnectionError):
        requests.get(f"http://127.0.0.1:{port}/api/v1/version", timeout=2)


def test_the_admin_login_works_over_plain_http_on_the_local_stack(client, django_user_model, settings):
    """make run serves http://127.0.0.1: its cookies cannot be HTTPS-only there."""
    assert settings.EMBEDDED and not settings.SESSION_COOKIE_SECURE and not settings.CSRF_COOKIE_SECURE
    django_user_model.objects.create_superuser("root", "root@example.org", "a-long-password-1")
    client = type(client)(enforce_csrf_checks=True)
    page = client.get("/admin/login/")
    token = page.cookies["csrftoken"].value
    response = client.post("/admin/login/?next=/admin/", {"username": "root", "password": "a-long-password-1",
                                                         "csrfmiddlewaretoken": token})  # fmt: skip
    assert response.status_code == 302 and response["Location"] == "/admin/"
