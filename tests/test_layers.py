"""The apps form layers and every import runs downward (docs/architecture.md).

    core  <  accounts  <  auth, ratelimit, idempotency  <  webhooks  <  resources  <  config (the wiring)

A module may use its own app and the layers below it: never an app above, never another
app of its own layer, also not inside a function and not by a dotted string (a Celery
task name, ``import_string``, a serializer path).
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LAYERS = {
    "core": 0, "accounts": 1, "auth": 2, "ratelimit": 2, "idempotency": 2, "webhooks": 3, "resources": 4, "portal": 5,
    "config": 9, "devstack": -1, "devstack.run": 10,
}  # fmt: skip
APPS = sorted(LAYERS, key=len, reverse=True)
DOTTED = re.compile(
    r"^(?:config|core|accounts|auth|ratelimit|idempotency|webhooks|resources|portal|devstack)(?:\.[A-Za-z_]\w*)+$"
)


def app_of(module: str) -> str | None:
    return next((app for app in APPS if module == app or module.startswith(app + ".")), None)


def module_name(path: Path) -> str:
    return ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")


def names_a_module(dotted: str) -> bool:
    """Whether a string reaches into a first-party module (``resources.serializers.X``), as
    opposed to a logger name or a model label (``auth.group``) that only looks dotted."""
    parts = dotted.split(".")
    for end in range(2, len(parts) + 1):
        base = ROOT.joinpath(*parts[:end])
        if base.with_suffix(".py").exists() or (base / "__init__.py").exists():
            return True
    return False


def references(source: str, filename: str = "<source>") -> set[str]:
    """Every first-party module a module's source imports (anywhere in it) or names in a dotted string."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(source, filename)):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and DOTTED.match(node.value):  # noqa: SIM102
            if names_a_module(node.value):  # a module or an attribute of one, not a logger name
                found.add(node.value)
    return {name for name in found if app_of(name) is not None}


def source_files() -> list[Path]:
    roots = [ROOT / name.split(".")[0] for name in LAYERS]
    return sorted({path for root in roots for path in root.rglob("*.py")})


def violations(module: str, source: str) -> list[str]:
    here = app_of(module)
    assert here is not None, module
    wrong = []
    for name in sorted(references(source, module)):
        there = app_of(name)
        assert there is not None
        if there != here and LAYERS[there] >= LAYERS[here]:
            wrong.append(f"{module} -> {name}")
    return wrong


@pytest.mark.parametrize("path", source_files(), ids=lambda path: module_name(path))
def test_imports_run_downward(path):
    assert violations(module_name(path), path.read_text()) == []


def test_the_check_sees_an_upward_import_a_function_import_and_a_dotted_string():
    """The rule is not vacuous: each way of reaching upward is caught (read, never written)."""
    source = (
        "import resources.models\n"
        "def f():\n    from auth.scopes import grants\n"
        "TASK = 'resources.serializers.RepositorySerializer'\n"
    )
    assert violations("webhooks._probe", source) == [
        "webhooks._probe -> resources.models",
        "webhooks._probe -> resources.serializers.RepositorySerializer",
    ]
    assert violations("auth._probe", "from ratelimit import conf\n") == [
        "auth._probe -> ratelimit",
        "auth._probe -> ratelimit.conf",
    ]
    assert violations("core._probe", "from auth.steps import authorize\n") == [
        "core._probe -> auth.steps",
        "core._probe -> auth.steps.authorize",
    ]
    assert violations("config._probe", "import resources.models\nfrom devstack import embedded\n") == []


def test_only_the_wiring_uses_the_development_stack():
    """``devstack`` (embedded servers, ``make run``) imports no app, and only the wiring imports it."""
    users = sorted(
        module_name(path)
        for path in source_files()
        if app_of(module_name(path)) not in ("config", "devstack", "devstack.run")
        and any(app_of(name) == "devstack" for name in references(path.read_text(), str(path)))
    )
    assert users == []
