"""``make run``: the whole stack in one terminal.

Starts the embedded PostgreSQL and Redis (unless DATABASE_URL/REDIS_URL are given),
migrates, creates a demo user with an API key (embedded servers only), then runs gunicorn,
a Celery worker and Celery beat (its own process, as in docker-compose.yml) under a
:class:`devstack.supervisor.Supervisor`: one that dies is started again after a backoff,
one that keeps dying (5 exits within 2 minutes) stops the run (exit code 1), and none
outlives the supervisor, even a killed one. Ctrl-C stops all of them, and the embedded servers.

The banner (URLs, the demo user and key) is printed once: when gunicorn answers
``GET /api/v1/health``, the Celery worker has said it is ready and their start-up output
has settled, so it is the last thing on the screen. Beat logs at WARNING and the worker's
lines about the routine sweep are DEBUG, so nothing scrolls it away every 15 seconds. A
port that is already taken stops the run before anything starts (exit code 2).
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path

from devstack import embedded as servers
from devstack import supervisor

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
DEMO_USER = "demo"
PORT_TAKEN = 2
SETTLE_SECONDS = 1.5
# The banner waits at most this long after health answers for the worker (whose output
# says why it is late, if it is).
STARTUP_WINDOW_SECONDS = 30.0
WORKER_READY = re.compile(rb"celery@\S+ ready\.")
UNHEALTHY_WARNING_SECONDS = 60.0
# make run on a laptop or in a dev container may run as root; Celery's warning about it
# (the JSON serializer is in use, so nothing unsafe is enabled) would bury the banner.
QUIET_ROOT_WARNING = ["-W", "ignore:You're running the worker with superuser privileges"]


def manage(*args: str, capture: bool = False) -> str:
    result = subprocess.run(
        [PYTHON, "manage.py", *args], cwd=ROOT, check=True, text=True, stdout=subprocess.PIPE if capture else None
    )
    return (result.stdout or "").strip()


def demo_credentials(var_dir: Path) -> tuple[str, str]:
    """The demo user (an admin) and its API key, created once and kept under var/secrets/."""
    password = servers.local_secret(var_dir, "demo_password", nbytes=12)
    key_file = var_dir / "secrets" / "demo_api_key"
    script = (
        "from django.contrib.auth import get_user_model\n"
        "from auth.services import InvalidCredential, api_key_verify\n"
        "import sys\n"
        "U = get_user_model()\n"
        f"u = U.objects.filter(username={DEMO_USER!r}).first()\n"
        f"u = u or U.objects.create_superuser({DEMO_USER!r}, 'demo@example.org', {password!r})\n"
        f"text = open({str(key_file)!r}).read().strip() if __import__('os').path.exists({str(key_file)!r}) else ''\n"
        "try:\n"
        "    api_key_verify(text)\n"
        "    print('valid')\n"
        "except InvalidCredential:\n"
        "    print('new')\n"
    )
    if manage("shell", "-c", script, capture=True).splitlines()[-1] == "new":
        secret = manage("create_api_key", DEMO_USER, "--name", "demo (make run)", "--scopes", "*", capture=True)
        key_file.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        key_file.write_text(secret)
        key_file.chmod(0o600)
    return password, key_file.read_text().strip()


class Output(supervisor.Output):
    """The children's output on ours; notes when the worker says it is ready (for the banner)."""

    def __init__(self) -> None:
        super().__init__()
        self.worker_ready = False

    def seen(self, line: bytes) -> None:
        self.worker_ready = self.worker_ready or WORKER_READY.search(line) is not None


def port_taken(port: int) -> bool:
    """True if gunicorn could not bind 127.0.0.1:port (it sets SO_REUSEADDR too)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return True
    return False


def healthy(base: str) -> bool:
    try:
        with urllib.request.urlopen(f"{base}/api/v1/health", timeout=2) as response:
            return response.status == 200
    except (OSError, urllib.error.URLError):
        return False


class Banner:
    """Printed once: the service answers, the worker is ready, and their output has settled.

    The worker and gunicorn's later workers print their start-up lines after the first health
    answer; waiting for quiet puts the banner after them, the last thing on the screen. At
    most STARTUP_WINDOW_SECONDS after health answers it is printed anyway (a worker that
    cannot start says why above it).
    """

    def __init__(self, text: str, output: Output) -> None:
        self.text, self.output = text, output
        self.healthy_at: float | None = None
        self.done = False
        self.started = time.monotonic()
        self.warned = False

    def tick(self, healthy: Callable[[], bool]) -> None:
        if self.done:
            return
        now = time.monotonic()
        if self.healthy_at is None:
            if not healthy():
                if not self.warned and now - self.started > UNHEALTHY_WARNING_SECONDS:
                    self.output.print("-> GET /api/v1/health has not answered 200 yet; the output above says why")
                    self.warned = True
                return
            self.healthy_at = now
        settled = self.output.worker_ready and now - self.output.last >= SETTLE_SECONDS
        if settled or now - self.healthy_at >= STARTUP_WINDOW_SECONDS:
            self.output.print(self.text)
            self.done = True


def main() -> int:
    os.chdir(ROOT)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    port = os.environ.get("PORT", "8000")
    if port_taken(int(port)):
        print(
            f"-> port {port} on 127.0.0.1 is already in use (another make run?). Stop whatever listens there, "
            f"or choose another port: PORT={int(port) + 1} make run",
            file=sys.stderr,
            flush=True,
        )
        return PORT_TAKEN
    # Started here, not in each child: gunicorn, the worker and beat find them running.
    var_dir = servers.bootstrap()
    if var_dir is not None:
        postgres, redis = servers.versions(var_dir)
        print(f"-> embedded {postgres} and {redis} (Redis-compatible) under {var_dir}", flush=True)
    schedule_dir = var_dir or servers.resolve_var_dir(os.environ.get("APISERVICE_VAR_DIR", ""), testing=False)
    manage("migrate", "--no-input", "-v", "0")
    base = f"http://127.0.0.1:{port}"
    output = Output()
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    # gunicorn's workers add up their Prometheus samples here (gunicorn.conf.py empties it at start);
    # Django's access line (with the request id) is enough on a terminal: gunicorn's own is off.
    web_defaults = {"PROMETHEUS_MULTIPROC_DIR": str(schedule_dir / "prometheus"), "GUNICORN_ACCESS_LOG": "off"}
    celery = [PYTHON, *QUIET_ROOT_WARNING, "-m", "celery", "-A", "config"]
    programs = [
        supervisor.Program(
            "gunicorn",
            [PYTHON, "-m", "gunicorn", "config.wsgi", "-c", "gunicorn.conf.py", "--bind", f"127.0.0.1:{port}"],
            {**web_defaults, **env},
            ROOT,
        ),
        supervisor.Program("celery worker", [*celery, "worker", "--loglevel", "INFO", "--concurrency", "2"], env, ROOT),
        supervisor.Program(
            "celery beat",
            [*celery, "beat", "--loglevel", "WARNING", "-s", str(schedule_dir / "celerybeat-schedule")],
            env,
            ROOT,
        ),
    ]
    try:
        banner = Banner(banner_lines(base, var_dir), output)
        code = supervisor.supervise(
            supervisor.Supervisor(programs, output), tick=lambda: banner.tick(lambda: healthy(base))
        )
    finally:
        if var_dir is not None:
            servers.stop_all(var_dir)
        output.print("-> stopped")
    return code


def banner_lines(base: str, var_dir: Path | None) -> str:
    """The URLs and, on the embedded stack, the demo user and key with the file that keeps it."""
    lines = [
        f"API root   {base}/api/v1/",
        f"API docs   {base}/api/v1/docs",
        f"Admin      {base}/admin/",
        f"Metrics    {base}/metrics",
    ]
    if var_dir is not None:
        password, key = demo_credentials(var_dir)
        key_file = var_dir / "secrets" / "demo_api_key"
        shown = key_file.relative_to(ROOT) if key_file.is_relative_to(ROOT) else key_file
        lines += [f"Admin user {DEMO_USER} / {password}", f"API key    {key}", f"Key file   {shown}"]
    lines += mail_lines(var_dir, email_url=os.environ.get("EMAIL_URL", ""))
    return "\n".join(["", *lines, "", "Ctrl-C stops everything.", ""])


def mail_lines(var_dir: Path | None, *, email_url: str) -> list[str]:
    """Where the service's mail goes when no EMAIL_URL sends it out: .eml files (config/mail.py)."""
    if var_dir is None or email_url:
        return []
    mail = var_dir / "mail"
    shown = mail.relative_to(ROOT) if mail.is_relative_to(ROOT) else mail
    return [f"Mail       {shown}/ (.eml files)"]


if __name__ == "__main__":
    raise SystemExit(main())
