"""The JSON renderer writes with orjson the very bytes DRF's own renderer writes."""

from __future__ import annotations

import datetime
import decimal
import uuid

import pytest
from django.utils.translation import gettext_lazy
from rest_framework import renderers as drf
from rest_framework.utils.serializer_helpers import ReturnDict, ReturnList

from core.renderers import JSONRenderer

CASES = {
    "page": {"next": "118", "results": [{"id": 120, "name": "r", "owner": {"canonical_name": "~a", "name": "a"}}],
             "results_per_page": 2, "total": 120},
    "unicode": {"bio": "Olá ~ 東京 ✓ \U0001f600", "quote": 'a "b" \\ c', "control": "tab\\tnew\\nline\\x01"},
    "separators": {"js": "line\u2028para\u2029end"},
    "numbers": {"int": 2**62, "neg": -7, "float": 0.1, "big": 1e300, "small": 5e-324, "bool": True, "none": None},
    "types": {"uuid": uuid.UUID(int=7), "decimal": decimal.Decimal("1.50"), "lazy": gettext_lazy("not found"),
              "date": datetime.date(2026, 11, 22), "when": datetime.datetime(2026, 11, 22, 12, 34, 56, 7,
                                                                            tzinfo=datetime.UTC)},
    "drf-containers": ReturnDict(  # type: ignore[call-overload]
        {"errors": ReturnList([{"field": "name", "reason": "name is required"}], serializer=None)},  # type: ignore[call-overload]
        serializer=None,
    ),
    "empty": {"results": [], "list": [], "dict": {}},
}  # fmt: skip


@pytest.mark.parametrize("name", list(CASES))
def test_the_bytes_are_drfs(name):
    data = CASES[name]
    assert JSONRenderer().render(data, "application/json") == drf.JSONRenderer().render(data, "application/json")


def test_an_indent_in_accept_is_honoured_as_drf_does():
    data = CASES["page"]
    media = "application/json; indent=2"
    assert JSONRenderer().render(data, media, {}) == drf.JSONRenderer().render(data, media, {})
