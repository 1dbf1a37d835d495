"""``make run``: the whole stack in one terminal.

Starts the embedded PostgreSQL and Redis (unless DATABASE_URL/REDIS_URL are given),
migrates, creates a demo user with an API key (embedded servers only), then runs gunicorn,
a Celery worker and Celery beat. Ctrl-C stops all of them, and the embedded servers.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from apiservice import embedded as servers

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
DEMO_USER = "demo"


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


def start(name: str, argv: list[str]) -> subprocess.Popen[bytes]:
    print(f"-> starting {name}", flush=True)
    # Own process group: Ctrl-C reaches only this supervisor, which stops children in order.
    return subprocess.Popen(argv, cwd=ROOT, start_new_session=True)


def stop(processes: dict[str, subprocess.Popen[bytes]]) -> None:
    for process in processes.values():
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
    deadline = time.monotonic() + 20
    for name, process in processes.items():
        try:
            process.wait(max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            print(f"-> {name} did not stop in time; killing it", flush=True)
            os.killpg(process.pid, signal.SIGKILL)


def main() -> int:
    os.chdir(ROOT)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "apiservice.settings")
    port = os.environ.get("PORT", "8000")
    # Started here, not in each child: gunicorn, the worker and beat find them running.
    var_dir = servers.bootstrap()
    if var_dir is not None:
        print(f"-> embedded PostgreSQL and Redis under {var_dir}", flush=True)
    schedule_dir = var_dir or servers.resolve_var_dir(os.environ.get("APISERVICE_VAR_DIR", ""), testing=False)
    manage("migrate", "--no-input", "-v", "0")
    base = f"http://127.0.0.1:{port}"
    processes: dict[str, subprocess.Popen[bytes]] = {}
    stopping = False

    def on_signal(signum: int, frame: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    try:
        banner = [f"API root   {base}/api/v1/", f"API docs   {base}/api/v1/docs", f"Admin      {base}/admin/"]
        if var_dir is not None:
            password, key = demo_credentials(var_dir)
            banner += [f"Admin user {DEMO_USER} / {password}", f"API key    {key}"]
        processes["web"] = start(
            "gunicorn",
            [PYTHON, "-m", "gunicorn", "apiservice.wsgi", "-c", "gunicorn.conf.py", "--bind", f"127.0.0.1:{port}"],
        )
        processes["worker"] = start(
            "celery worker",
            [PYTHON, "-m", "celery", "-A", "apiservice", "worker", "--loglevel", "INFO", "--concurrency", "2"],
        )
        processes["beat"] = start(
            "celery beat",
            [
                PYTHON,
                "-m",
                "celery",
                "-A",
                "apiservice",
                "beat",
                "--loglevel",
                "INFO",
                "-s",
                str(schedule_dir / "celerybeat-schedule"),
            ],
        )
        print("\n".join(["", *banner, "", "Ctrl-C stops everything.", ""]), flush=True)
        while not stopping:
            for name, process in processes.items():
                if process.poll() is not None:
                    print(f"-> {name} exited with code {process.returncode}; stopping", flush=True)
                    stopping = True
            time.sleep(0.5)
    finally:
        print("-> stopping", flush=True)
        stop(processes)
        if var_dir is not None:
            servers.stop_all(var_dir)
        print("-> stopped", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
