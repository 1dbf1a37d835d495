"""docs/architecture.md says what the code is: every dotted name it mentions resolves, and its
table of per-process caches is the registry's."""

from __future__ import annotations

import importlib
import re
from typing import Any

import pytest

from tests.conftest import ROOT

DOC = (ROOT / "docs" / "architecture.md").read_text()
PACKAGES = "config|core|accounts|auth|ratelimit|idempotency|webhooks|resources|devstack"
DOTTED = re.compile(rf"(?<![\w./-])(?:{PACKAGES})(?:\.[A-Za-z_]\w*)+")


def resolve(dotted: str) -> Any:
    """The module, class, function or attribute ``dotted`` names (the longest importable prefix,
    then attributes)."""
    parts = dotted.split(".")
    for end in range(len(parts), 0, -1):
        try:
            found: Any = importlib.import_module(".".join(parts[:end]))
        except ModuleNotFoundError:
            continue
        for attribute in parts[end:]:
            found = getattr(found, attribute)
        return found
    raise ModuleNotFoundError(dotted)


CHECK_ID = re.compile(r"\.[A-Z]\d{3}$")  # a system check's id (webhooks.E001), not a module
NAMES = sorted(
    {name for name in DOTTED.findall(DOC) if not name.endswith((".py", ".md")) and not CHECK_ID.search(name)}
)


def test_the_doc_names_the_pipeline_and_the_flows():
    assert {"config.pipeline.STEPS", "auth.steps.authenticate", "resources.selectors.RepoQuery.page"} <= set(NAMES)


@pytest.mark.parametrize("name", NAMES)
def test_every_dotted_name_resolves(name):
    assert resolve(name) is not None


def test_the_pipeline_s_order_is_the_one_the_doc_draws():
    from config.pipeline import STEPS

    drawn = re.findall(r"^\s+\d\. (\S+)", DOC, flags=re.M)
    assert drawn == [f"{step.__module__}.{step.__name__}" for step in STEPS]


def test_the_cache_table_is_the_registry():
    from django.urls import get_resolver

    from core import caches

    get_resolver().url_patterns  # noqa: B018 - imports every view module, so every cache registers
    listed = set(re.findall(r"^\| `([a-z-]+)` \|", DOC, flags=re.M))
    assert listed == set(caches.REGISTRY)
