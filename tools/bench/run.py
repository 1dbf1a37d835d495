"""``make bench``: throughput and latency of the real stack, as ratios to a floor in the same run.

Starts gunicorn exactly as production would (gunicorn.conf.py, sync workers, DEBUG off)
on PostgreSQL and Redis (embedded under var/bench unless DATABASE_URL/REDIS_URL are set),
seeds a user with 10,000 repositories and 10,000 SSH keys (and a second with 10), and
drives each row with wrk from a separate process on loopback. The floor is a minimal
Django view returning a constant JSON body under the same gunicorn settings. Beside each
row: the SQL queries and Redis round trips one such request makes (counted in-process
through the same middleware and views).

Each row runs between two runs of the floor in the same round, and its ratio is to their
mean (the machine's speed drifts within a run); at least 3 rounds; the table gives each
row's median ratio and its spread (min-max over the rounds).

    make bench                  # BENCH_SECONDS=5 BENCH_CONNECTIONS=16 BENCH_ROUNDS=3 by default
    PYTHONPATH=tools .venv/bin/python -m bench.run
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.boot import ROOT, boot, unlimited

SECONDS = int(os.environ.get("BENCH_SECONDS", "5"))
ROUNDS = max(3, int(os.environ.get("BENCH_ROUNDS", "3")))
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "16"))
SEED = 10_000


def wrk_binary() -> str:
    found = shutil.which("wrk")
    if found:
        return found
    print("installing wrk (Debian package)...", flush=True)
    subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=False, stdout=subprocess.DEVNULL)
    found = shutil.which("wrk")
    if not found:
        subprocess.run(["apt-get", "update", "-qq"], check=False, stdout=subprocess.DEVNULL)
        subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=True, stdout=subprocess.DEVNULL)
        found = shutil.which("wrk")
    assert found, "wrk is needed: apt-get install wrk"
    return found


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def seed() -> dict[str, str]:
    """Users, 10,000 repositories and 10,000 real SSH keys; returns credentials and ids."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ed25519
    from django.core.management import call_command
    from django.db import connection

    from accounts.models import AuditLogEntry, User
    from auth.models import ApiKey
    from auth.services import api_key_create, api_key_exchange
    from resources.models import Repository, SSHKey
    from resources.parsing.ssh import parse_ssh_key
    from webhooks.models import Event

    call_command("migrate", verbosity=0)
    big, _ = User.objects.get_or_create(username="bench", defaults={"email": "bench@example.org"})
    small, _ = User.objects.get_or_create(username="bench-small")
    if Repository.objects.filter(owner=big).count() < SEED:
        print(f"seeding {SEED} repositories and SSH keys...", flush=True)
        Repository.objects.filter(owner__in=[big, small]).delete()
        SSHKey.objects.filter(owner__in=[big, small]).delete()
        Repository.objects.bulk_create(
            [Repository(owner=big, name=f"repo{i:05d}", description="bench") for i in range(SEED)], batch_size=2000
        )
        Repository.objects.bulk_create([Repository(owner=small, name=f"small{i}") for i in range(10)])
        keys = []
        for i in range(SEED):
            line = (
                ed25519.Ed25519PrivateKey.generate()
                .public_key()
                .public_bytes(serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH)
                .decode()
            )
            parsed = parse_ssh_key(f"{line} bench{i}")
            keys.append(SSHKey(owner=big, key=parsed.key, comment=parsed.comment, fingerprint=parsed.fingerprint,
                               fingerprint_sha256=parsed.fingerprint_sha256))  # fmt: skip
        SSHKey.objects.bulk_create(keys, batch_size=2000)
        with connection.cursor() as cursor:  # what autovacuum does soon after a bulk load
            cursor.execute("VACUUM ANALYZE resources_repository")
            cursor.execute("VACUUM ANALYZE resources_sshkey")
    strays = Repository.objects.exclude(owner__in=[big, small])
    if strays.exists() and os.environ.get("DATABASE_URL"):  # somebody's data: never deleted
        print("other users' repositories are in DATABASE_URL's database: kept, so figures may differ", flush=True)
    elif strays.exists():  # left by other tools in var/bench: the dataset the docs describe
        strays.delete()
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE resources_repository")
    # Earlier runs' own writes (an audit entry per key exchange, events from the SSH-key cycle:
    # some 60,000 rows a run) would grow the tables until autovacuum ran in the middle of a
    # measurement, taking a core from the rows it happened to overlap: start every run from
    # the same tables, vacuumed.
    AuditLogEntry.objects.filter(user__in=[big, small]).delete()
    Event.objects.filter(user__in=[big, small]).delete()
    with connection.cursor() as cursor:
        for table in (AuditLogEntry._meta.db_table, Event._meta.db_table, SSHKey._meta.db_table):
            cursor.execute(f'VACUUM ANALYZE "{table}"')
    ApiKey.objects.filter(user=big).delete()
    issued = api_key_create(user=big, name="bench", scopes=["*"])
    ids = list(Repository.objects.filter(owner=big).order_by("-id").values_list("id", flat=True))
    return {
        "key": issued.secret,
        "jwt": api_key_exchange(text=issued.secret, ip=None).token,
        "deep": str(ids[SEED - 60]),  # a page 10,000 items deep (the last full page)
        "repo": Repository.objects.filter(owner=big).earliest("id").name,
    }


def cost_of(method: str, path: str, headers: dict[str, str], body: str | None = None) -> tuple[int, int]:
    """SQL queries and Redis commands sent for one request, through the same middleware and views."""
    from unittest import mock

    import redis.connection
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    sent = []
    original = redis.connection.AbstractConnection.send_packed_command

    def counting(self, command, check_health=True):
        sent.append(command)
        return original(self, command, check_health)

    client = Client(headers=headers)
    kwargs = {"data": body, "content_type": "application/json"} if body is not None else {}
    getattr(client, method.lower())(path, **kwargs)  # warm: script cached, connections open
    with (
        mock.patch.object(redis.connection.AbstractConnection, "send_packed_command", counting),
        CaptureQueriesContext(connection) as queries,
    ):
        getattr(client, method.lower())(path, **kwargs)
    return len(queries), len(sent)


class Server:
    """``app`` under gunicorn with ``root``'s gunicorn.conf.py, from ``root`` (another checkout's
    code for ``bench.ab``), on a free port; ``env`` on top of this process's environment."""

    def __init__(self, app: str, *, root: Path = ROOT, **env: str) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        environment = {**os.environ, "GUNICORN_ACCESS_LOG": "/dev/null", **env}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", app, "-c", str(root / "gunicorn.conf.py"), "--bind", f"127.0.0.1:{self.port}",
             "--pythonpath", str(ROOT / "tools")],  # the floor is bench.floor.wsgi
            cwd=root, env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
        )  # fmt: skip
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), 1).close()
                time.sleep(1.5)  # let every worker boot
                return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError(f"{app} did not start")

    def stop(self) -> None:
        os.killpg(self.process.pid, signal.SIGTERM)
        self.process.wait(20)


LATENCY = re.compile(r"^\s+(50|99)(?:\.000)?%\s+([\d.]+)(us|ms|s)\s*$", re.M)


def wrk(url: str, headers: dict[str, str], script: str | None = None) -> tuple[float, float, float, int]:
    """(requests/s, p50 ms, p99 ms, non-2xx responses)."""
    argv = [wrk_binary(), "-t2", f"-c{CONNECTIONS}", f"-d{SECONDS}s", "--latency"]
    for name, value in headers.items():
        argv += ["-H", f"{name}: {value}"]
    if script:
        argv += ["-s", script]
    output = subprocess.run([*argv, url], capture_output=True, text=True, check=True).stdout
    requests_per_second = re.search(r"Requests/sec:\s+([\d.]+)", output)
    if requests_per_second is None:
        raise RuntimeError(f"wrk printed no rate:\n{output}")
    rate = float(requests_per_second.group(1))
    scale = {"us": 0.001, "ms": 1.0, "s": 1000.0}
    latency = {p: float(v) * scale[u] for p, v, u in LATENCY.findall(output)}
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    return rate, latency.get("50", 0.0), latency.get("99", 0.0), int(bad.group(1)) if bad else 0


def lua(body: str) -> str:
    handle = tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False)  # noqa: SIM115
    handle.write(body)
    handle.close()
    return handle.name


def ssh_cycle_script(token: str) -> str:
    """Each connection alternates: POST a fresh SSH key, DELETE it by the id in the answer."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ed25519

    lines = [
        ed25519.Ed25519PrivateKey.generate()
        .public_key()
        .public_bytes(serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH)
        .decode()
        for _ in range(64)
    ]
    table = ",".join(f'"{line}"' for line in lines)
    return lua(
        f"""
local keys = {{{table}}}
local n, pending = 0, {{}}
local offset = 0
local threads = 0
setup = function(thread)
  thread:set("offset", threads * 32)
  threads = threads + 1
end
init = function(args)
  offset = tonumber(wrk.thread:get("offset")) or 0
end
wrk.headers["Authorization"] = "Bearer {token}"
wrk.headers["Content-Type"] = "application/json"
request = function()
  if #pending > 0 then
    return wrk.format("DELETE", "/api/v1/user/ssh-keys/" .. table.remove(pending, 1), nil, "")
  end
  n = n + 1
  return wrk.format("POST", "/api/v1/user/ssh-keys", nil, '{{"ssh-key": "' .. keys[offset + (n % 32) + 1] .. ' bench"}}')
end
response = function(status, headers, body)
  local id = body:match('"id":(%d+)')
  if status == 201 and id then table.insert(pending, id) end
end
"""
    )


def main() -> int:
    boot(**unlimited())
    creds = seed()
    jwt, key = {"Authorization": f"Bearer {creds['jwt']}"}, {"Authorization": f"token {creds['key']}"}
    floor = Server("bench.floor.wsgi")
    app = Server("config.wsgi")
    bare = Server("config.wsgi", API_RATE_LIMITS_ENABLED="0")
    auth_body = json.dumps({"apiKey": creds["key"]})
    rows: list[tuple[str, str, dict[str, str], str | None, tuple[Any, ...] | None]] = [
        ("floor: constant JSON view", floor.url + "/floor", {}, None, None),
        ("GET /version (anonymous, limited)", app.url + "/api/v1/version", {}, None, ("GET", "/api/v1/version", {})),
        ("GET /repos page 1 (JWT)", app.url + "/api/v1/repos", jwt, None, ("GET", "/api/v1/repos", jwt)),
        (f"GET /repos {SEED:,} deep (JWT)", app.url + f"/api/v1/repos?start={creds['deep']}", jwt, None,
         ("GET", f"/api/v1/repos?start={creds['deep']}", jwt)),
        ("GET /repos page 1 (API key)", app.url + "/api/v1/repos", key, None, ("GET", "/api/v1/repos", key)),
        (f"GET /repos {SEED:,} deep (API key)", app.url + f"/api/v1/repos?start={creds['deep']}", key, None,
         ("GET", f"/api/v1/repos?start={creds['deep']}", key)),
        ("GET /~bench/repos page 1 (no auth, no limits)", bare.url + "/api/v1/~bench/repos", {}, None, None),
        ("GET /repos/:name (JWT)", app.url + f"/api/v1/repos/{creds['repo']}", jwt, None,
         ("GET", f"/api/v1/repos/{creds['repo']}", jwt)),
        ("GET /repos/:name?fields=id,name (JWT)", app.url + f"/api/v1/repos/{creds['repo']}?fields=id,name", jwt, None,
         ("GET", f"/api/v1/repos/{creds['repo']}?fields=id,name", jwt)),
        ("POST /authenticate", app.url + "/api/v1/authenticate", {"Content-Type": "application/json"},
         lua(f'wrk.method = "POST"\nwrk.body = \'{auth_body}\''), ("POST", "/api/v1/authenticate", {}, auth_body)),
        ("POST + DELETE /user/ssh-keys (JWT)", app.url, {}, ssh_cycle_script(creds["jwt"]), None),
    ]  # fmt: skip
    floor_row, measured = rows[0], rows[1:]
    samples: dict[str, list[tuple[float, float, float, float, int]]] = {label: [] for label, *_ in measured}
    costs = {
        label: cost_of(probe[0], probe[1], probe[2], *(probe[3:] or [None]))
        for label, _, _, _, probe in measured
        if probe
    }
    floors: list[float] = []
    try:
        for round_number in range(1, ROUNDS + 1):
            print(f"round {round_number}/{ROUNDS}", flush=True)
            before = wrk(floor_row[1], {}, None)[0]
            floors.append(before)
            for label, url, headers, script, _probe in measured:
                rate, p50, p99, bad = wrk(url, headers, script)
                after = wrk(floor_row[1], {}, None)[0]  # the next row's "before"
                floors.append(after)
                ratio = rate / ((before + after) / 2)
                samples[label].append((ratio, rate, p50, p99, bad))
                print(
                    f"  {label:<48} {rate:9.0f} req/s  {ratio:.3f} of the floor ({before:.0f}/{after:.0f})", flush=True
                )
                before = after
    finally:
        for server in (floor, app, bare):
            server.stop()
    cores = os.cpu_count() or 1
    print(f"\n{cores} cores, gunicorn sync workers x {os.environ.get('WEB_CONCURRENCY', 2 * cores + 1)}, "
          f"wrk -t2 -c{CONNECTIONS} -d{SECONDS}s on loopback, {ROUNDS} rounds; each row between two floor runs, "
          f"its ratio to their mean; floor {statistics.median(floors):.0f} req/s median "
          f"({min(floors):.0f}-{max(floors):.0f})\n")  # fmt: skip
    print(
        "| row | ratio to floor (median) | spread | req/s (median) | p50 ms | p99 ms | SQL/req | Redis/req | non-2xx |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    medians = {}
    for label, *_ in measured:
        ratios = [sample[0] for sample in samples[label]]
        medians[label] = statistics.median(ratios)
        rate, p50, p99 = (statistics.median(sample[i] for sample in samples[label]) for i in (1, 2, 3))
        bad = sum(sample[4] for sample in samples[label])
        sql, rts = costs.get(label, ("-", "-"))
        print(f"| {label} | {medians[label]:.3f} | {min(ratios):.3f}-{max(ratios):.3f} | {rate:.0f} | {p50:.2f} | "
              f"{p99:.2f} | {sql} | {rts} | {bad} |")  # fmt: skip
    page1, deep = medians["GET /repos page 1 (JWT)"], medians[f"GET /repos {SEED:,} deep (JWT)"]
    print(f"\nGET /repos page 1 (JWT) / floor       {page1:.3f}   (target >= 0.20)")
    print(f"deep page / page 1                    {deep / page1:.3f}   (target >= 0.90)")
    print(f"GET /repos/:name (JWT) / floor        {medians['GET /repos/:name (JWT)']:.3f}   (target >= 0.30)")
    print(f"POST /authenticate / floor            {medians['POST /authenticate']:.3f}   (target >= 0.22)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
