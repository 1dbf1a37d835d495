"""Interleaved A/B of one row: this checkout's server against another checkout's, both up at
once, the floor between every measurement, the order swapped each round.

``make bench`` runs one version of the code at a time; two runs minutes apart differ by more
than a tenth on a shared machine, more than the change being weighed. Here both servers
answer the same row in every round, so the machine's drift hits both alike:

    git worktree add /tmp/other <commit> && ln -s "$PWD/.venv" /tmp/other/.venv
    PYTHONPATH=tools .venv/bin/python -m bench.ab detail /tmp/other          # 8 rounds
    AB_ROUNDS=12 PYTHONPATH=tools .venv/bin/python -m bench.ab list /tmp/other

Rows: version, list, deep, detail, authenticate. Each measurement is ``bench.run``'s ``wrk``
(``BENCH_SECONDS``, ``BENCH_CONNECTIONS``) and its ratio is to the mean of the floor runs
on either side. Prints every round and the medians; "this / other" above 1 means this
checkout is faster.

The other checkout runs on the embedded servers under this checkout's ``var/bench``. One
with ``config/wsgi.py`` (this layout) shares the bench database and credentials. One from
before the second house (``apiservice/wsgi.py``, settings ``apiservice.settings``) gets a
database of its own, ``bench_other`` (created, migrated and seeded by that checkout's own
``bench.run.seed()``), Redis database 5 and the same secrets. Only with the embedded servers
(no ``DATABASE_URL``/``REDIS_URL``). Stop them afterwards with ``make stop``.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

from bench.boot import boot, unlimited
from bench.run import Server, lua, seed, wrk

ROUNDS = int(os.environ.get("AB_ROUNDS", "8"))
ROWS = ("version", "list", "deep", "detail", "authenticate")
OTHER_DATABASE = "bench_other"
OTHER_REDIS_DB = 5
SECRETS = ("django_secret_key", "api_key_hmac_key", "jwt_signing_key", "webhook_signing_keys")
SEED_SCRIPT = (
    "import json\n"
    "from bench.boot import boot, unlimited\n"
    "boot(**unlimited())\n"
    "from bench.run import seed\n"
    "print('CREDENTIALS ' + json.dumps(seed()), flush=True)\n"
)


def request(row: str, creds: dict[str, str]) -> tuple[str, dict[str, str], str | None]:
    """(path, headers, wrk script) of ``row`` with ``creds`` (``bench.run.seed()``'s)."""
    bearer = {"Authorization": f"Bearer {creds['jwt']}"}
    if row == "authenticate":
        body = json.dumps({"apiKey": creds["key"]})
        return (
            "/api/v1/authenticate",
            {"Content-Type": "application/json"},
            lua(f"wrk.method = \"POST\"\nwrk.body = '{body}'"),
        )
    return {
        "version": ("/api/v1/version", {}, None),
        "list": ("/api/v1/repos", bearer, None),
        "deep": (f"/api/v1/repos?start={creds['deep']}", bearer, None),
        "detail": (f"/api/v1/repos/{creds['repo']}", bearer, None),
    }[row]


def older_layout(other: Path) -> tuple[str, dict[str, str], dict[str, str]]:
    """(WSGI app, environment, credentials) for a checkout from before the second house."""
    import psycopg

    from devstack.embedded import postgres_url, redis_url

    var = Path(os.environ["APISERVICE_VAR_DIR"])
    with psycopg.connect(postgres_url(var, "postgres"), autocommit=True) as admin:
        if not admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [OTHER_DATABASE]).fetchone():
            admin.execute(f'CREATE DATABASE "{OTHER_DATABASE}"')
    env = {
        "DATABASE_URL": postgres_url(var, OTHER_DATABASE),
        "REDIS_URL": f"{redis_url(var)}?db={OTHER_REDIS_DB}",
        "DJANGO_SETTINGS_MODULE": "apiservice.settings",
        "APISERVICE_VAR_DIR": str(other / "var" / "bench"),
        **{name.upper(): (var / "secrets" / name).read_text().strip() for name in SECRETS},
    }
    seeded = subprocess.run(
        [sys.executable, "-c", SEED_SCRIPT], cwd=other, env={**os.environ, **env, "PYTHONPATH": f"{other}:{other / 'tools'}"},
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    line = next(line for line in seeded.stdout.splitlines() if line.startswith("CREDENTIALS "))
    return "apiservice.wsgi", env, json.loads(line.removeprefix("CREDENTIALS "))


def main(argv: list[str]) -> int:
    if len(argv) != 2 or argv[0] not in ROWS or not Path(argv[1]).is_dir():
        print(f"usage: python -m bench.ab {{{','.join(ROWS)}}} <another checkout>", file=sys.stderr)
        return 2
    row, other = argv[0], Path(argv[1]).resolve()
    boot(**unlimited())
    creds = seed()
    env: dict[str, str] = {}
    if (other / "config" / "wsgi.py").exists():
        app, other_creds = "config.wsgi", creds
    elif (other / "apiservice" / "wsgi.py").exists():
        if os.environ.get("DATABASE_URL") or os.environ.get("REDIS_URL"):
            print("an older checkout needs the embedded servers: unset DATABASE_URL and REDIS_URL", file=sys.stderr)
            return 2
        app, env, other_creds = older_layout(other)
    else:
        print(f"{other} has neither config/wsgi.py nor apiservice/wsgi.py", file=sys.stderr)
        return 2
    servers = {"floor": Server("bench.floor.wsgi"), "this": Server("config.wsgi")}
    servers["other"] = Server(app, root=other, **env)
    requests = {"this": request(row, creds), "other": request(row, other_creds)}
    ratios: dict[str, list[float]] = {"this": [], "other": []}
    floor = servers["floor"].url + "/floor"
    try:
        for name in ("this", "other"):  # warm both; a refused request would make the comparison void
            path, headers, script = requests[name]
            bad = wrk(servers[name].url + path, headers, script)[3]
            if bad:
                raise RuntimeError(f"{name}: {bad} answers were not 2xx")
        for number in range(ROUNDS):
            order = ("this", "other") if number % 2 == 0 else ("other", "this")
            before = wrk(floor, {})[0]
            line = []
            for name in order:
                path, headers, script = requests[name]
                rate = wrk(servers[name].url + path, headers, script)[0]
                after = wrk(floor, {})[0]
                ratios[name].append(rate / ((before + after) / 2))
                line.append(f"{name} {ratios[name][-1]:.3f}")
                before = after
            print(f"round {number + 1}/{ROUNDS}: " + "  ".join(line), flush=True)
    finally:
        for server in servers.values():
            server.stop()
    this, them = statistics.median(ratios["this"]), statistics.median(ratios["other"])
    ahead = sum(a > b for a, b in zip(ratios["this"], ratios["other"], strict=True))
    print(f"\n{row}: this {this:.3f}, other ({other}) {them:.3f} of the floor (medians); "
          f"this / other {this / them:.3f}; this ahead in {ahead} of {ROUNDS} rounds")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
