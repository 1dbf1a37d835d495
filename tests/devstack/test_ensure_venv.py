"""devstack/ensure_venv.py (``make venv``): the venv follows its interpreter, and a broken one never sticks."""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest
import redis

from devstack import embedded
from devstack import ensure_venv as devvenv
from tests.conftest import ROOT
from tests.devstack.test_embedded import needs_embedded_servers, private_var_dir

OURS = {"version": "3.11.7", "home": "/opt/python3.11/bin"}
OTHER = {"version": "3.13.0", "home": "/opt/python3.13/bin"}
DIGEST = "d" * 64
DONE = {"python": OURS["version"], "extras": ["dev", "embedded"], "pyproject": DIGEST}


def decide(**given):
    args = {
        "ours": OURS, "theirs": OURS, "healthy": True, "stamp": DONE, "explicit": False,
        "extras": ["dev", "embedded"], "digest": DIGEST,
    }  # fmt: skip
    return devvenv.decide(**{**args, **given})[0]


def test_a_complete_venv_of_this_interpreter_is_kept():
    assert decide() == "keep"


def test_no_venv_or_one_that_no_longer_runs_is_made():
    assert decide(theirs=None, stamp=None) == "make"
    assert decide(healthy=False) == "make"  # its interpreter was removed, say


def test_an_install_that_never_finished_is_finished_by_the_same_interpreter():
    assert decide(stamp=None) == "install"


def test_a_failed_install_by_another_interpreter_is_made_again_by_this_one():
    """The issue's case: a failed `PYTHON=python3.13 make run`, then a plain `make run`."""
    assert decide(theirs=OTHER, stamp=None) == "make"
    assert decide(theirs=OTHER, stamp=None, explicit=True) == "make"


def test_another_interpreter_named_by_python_makes_it_again():
    done_by_other = {**DONE, "python": OTHER["version"]}
    assert decide(theirs=OTHER, stamp=done_by_other, explicit=True) == "make"
    assert decide(theirs=OTHER, stamp=done_by_other, explicit=False) == "keep", "python3 by default: keep it"


def test_a_changed_pyproject_or_a_newly_needed_extra_installs_again():
    assert decide(digest="e" * 64) == "install"
    assert decide(stamp={**DONE, "extras": ["dev"]}) == "install"  # made with DATABASE_URL/REDIS_URL, now without
    assert decide(stamp={**DONE, "extras": ["dev", "embedded"]}, extras=["dev"]) == "keep"


@pytest.mark.parametrize(
    ("environ", "extras"),
    [
        ({}, ["dev", "embedded"]),
        ({"DATABASE_URL": "postgres://db/x", "REDIS_URL": "redis://r:6379/0"}, ["dev"]),
        ({"DATABASE_URL": "", "REDIS_URL": ""}, ["dev", "embedded"]),
    ],
)
def test_the_embedded_extra_only_when_it_is_used(environ, extras):
    assert devvenv.wanted_extras(environ) == extras


def test_a_real_venv_records_the_interpreter_that_made_it(tmp_path):
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(tmp_path / "v")], check=True, timeout=60)
    assert devvenv.made_by(str(tmp_path / "v")) == devvenv.interpreter()
    assert devvenv.made_by(str(tmp_path / "none")) is None
    assert devvenv.read_stamp(str(tmp_path / "v")) is None


def test_an_unsupported_interpreter_is_told_which_one_to_use_and_nothing_is_made(tmp_path):
    code = (
        "import sys\n"
        "sys.path.insert(0, 'devstack')\n"
        "import ensure_venv as script\n"  # devstack/ensure_venv.py as make runs it, its directory first on the path
        "script.supported = lambda major_minor: False  # as Python 3.15 would be\n"
        "sys.exit(script.main(sys.argv[1:]))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code, "--venv", str(tmp_path / "v"), "--python", "python3.15", "--goal", "test"],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 2, result.stderr
    first, *rest = result.stderr.splitlines()
    assert first.startswith("-> apiservice runs on Python 3.11 to 3.14; python3.15 is Python 3.")
    assert f"python3.{sys.version_info[1]}" in rest[0], "a supported interpreter of this machine is named"
    assert rest[-1].strip().startswith("PYTHON=") and rest[-1].endswith(" make test")
    assert "Traceback" not in result.stderr and not (tmp_path / "v").exists()


@needs_embedded_servers
def test_make_stop_needs_no_venv_only_the_standard_library():
    """`make stop` runs devstack/embedded.py with whichever Python works, even without the venv's packages."""
    var_dir = private_var_dir()
    try:
        postgres = psycopg.connect(embedded.ensure_postgres(var_dir), autocommit=True)
        postgres.close()
        assert redis.Redis.from_url(embedded.ensure_redis(var_dir)).ping()
        pids = [
            embedded._pid_from(var_dir / "pg" / "postmaster.pid"),
            embedded._pid_from(var_dir / "redis" / "redis.pid"),
        ]
        # -S: no site-packages at all, as with a venv that lost them or a bare system Python
        result = subprocess.run(
            [sys.executable, "-S", "-m", "devstack.embedded", "stop", str(var_dir)],
            cwd=ROOT, capture_output=True, text=True, timeout=60,
        )  # fmt: skip
        assert result.returncode == 0, result.stderr
        for pid in pids:
            assert pid is not None
            with pytest.raises(ProcessLookupError):
                os.kill(pid, 0)
    finally:
        embedded.stop_all(var_dir)
        shutil.rmtree(var_dir, ignore_errors=True)


def test_make_stop_stops_every_stack_the_tools_keep_under_var():
    """`make stop` (and `make clean`, which deletes var/) reaches each var dir a tool starts servers in."""
    makefile = (ROOT / "Makefile").read_text()
    listed = next(line for line in makefile.splitlines() if line.startswith("EMBEDDED_VAR_DIRS"))
    dirs = set(listed.split(":=")[1].split())
    started = {"var", "var/test"}  # make run's and the suite's (devstack.embedded.resolve_var_dir)
    for tool in sorted((ROOT / "tools" / "bench").glob("*.py")):
        started |= {f"var/{name}" for name in re.findall(r'ROOT / "var" / "(\w+)"', tool.read_text())}
    assert {"var/bench", "var/load", "var/faults"} <= started
    assert started <= dirs, f"make stop misses {started - dirs}"


def test_the_supported_range_is_pyprojects():
    assert [minor for minor in range(8, 17) if devvenv.supported((3, minor))] == [11, 12, 13, 14]
    assert 'requires-python = ">=3.11,<3.15"' in (ROOT / "pyproject.toml").read_text()


def test_a_real_python_3_10_gets_the_message_not_a_traceback(tmp_path):
    older = sorted(
        (Path(os.environ.get("PYENV_ROOT") or Path.home() / ".pyenv") / "versions").glob("3.10.*/bin/python3.10")
    )
    if not older:
        pytest.skip("no Python 3.10 on this machine")
    result = subprocess.run(
        [str(older[-1]), "devstack/ensure_venv.py", "--venv", str(tmp_path / "v"), "--python", "python3.10", "--explicit"],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 2, result.stderr
    assert result.stderr.startswith("-> apiservice runs on Python 3.11 to 3.14; python3.10 is Python 3.10.")
    assert "Traceback" not in result.stderr and not (tmp_path / "v").exists()


def test_constraints_pin_every_requirement_of_pyproject_to_one_version():
    import tomllib

    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    named = [*project["dependencies"], *(r for extra in project["optional-dependencies"].values() for r in extra)]
    pins = {}
    for line in (ROOT / devvenv.CONSTRAINTS).read_text().splitlines():
        if line and not line.startswith("#"):
            name, sep, version = line.partition("==")
            assert sep and version and Requirement(line).specifier, f"not an exact pin: {line!r}"
            pins[canonicalize_name(name)] = version
    for text in named:
        requirement = Requirement(text)
        name = canonicalize_name(requirement.name)
        assert name in pins, f"{requirement.name} (pyproject.toml) has no version in constraints.txt"
        assert requirement.specifier.contains(pins[name], prereleases=True), f"{text} excludes the pin {pins[name]}"


def test_this_venv_has_the_versions_constraints_txt_names():
    """make venv installs with ``-c constraints.txt``: what runs these tests is what the file says."""
    from importlib import metadata

    from packaging.utils import canonicalize_name

    installed = {canonicalize_name(d.metadata["Name"]): d.version for d in metadata.distributions()}
    pins = [line.split("==") for line in (ROOT / devvenv.CONSTRAINTS).read_text().splitlines() if "==" in line]
    wrong = {name: (version, installed[canonicalize_name(name)]) for name, version in pins
             if canonicalize_name(name) in installed and installed[canonicalize_name(name)] != version}  # fmt: skip
    assert not wrong, f"pinned, installed: {wrong}; make venv installs the pins"
    assert canonicalize_name("Django") in installed


def test_constraints_txt_is_written_sorted_under_its_header_and_a_change_installs_again(tmp_path, monkeypatch):
    text = devvenv.constraints_text("zope.x==1.0\nDjango==5.2.20\n# comment\naiohttp==3.14.5\n")
    assert text == devvenv.CONSTRAINTS_HEADER + "aiohttp==3.14.5\nDjango==5.2.20\nzope.x==1.0\n"
    for name in ("pyproject.toml", devvenv.CONSTRAINTS):
        shutil.copy(ROOT / name, tmp_path / name)
    monkeypatch.setattr(devvenv, "ROOT", str(tmp_path))
    before = devvenv.install_digest()
    with open(tmp_path / devvenv.CONSTRAINTS, "a") as handle:
        handle.write("extra==1.0\n")
    assert devvenv.install_digest() != before  # a changed constraints.txt installs again, as pyproject.toml does
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert (
        "COPY pyproject.toml constraints.txt" in dockerfile
        and "pip install --no-cache-dir -c constraints.txt ." in dockerfile
    )


def test_the_install_is_held_to_constraints_txt(tmp_path, monkeypatch):
    """What ``install`` asks pip for (pip itself is not run: the versions it then installs are
    the previous test's business, on this very venv)."""
    calls = []
    monkeypatch.setattr(devvenv, "pip", lambda venv, *args: calls.append(args))
    devvenv.install(str(tmp_path), ["dev"], "d" * 64)
    ((*options, editable, target),) = calls
    assert options[options.index("-c") + 1] == devvenv.CONSTRAINTS == "constraints.txt"
    assert (editable, target) == ("-e", ".[dev]") and "--only-binary=:all:" in options
    assert devvenv.read_stamp(str(tmp_path)) == {"python": "", "extras": ["dev"], "pyproject": "d" * 64}
