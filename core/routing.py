"""URL helpers: every route answers with and without a trailing slash, nothing redirects (§1.1)."""

from __future__ import annotations

from typing import Any

from django.urls import URLPattern, re_path


def route(pattern: str, view: Any, name: str) -> URLPattern:
    """``route("keys/(?P<pk>[0-9]+)", view, "key-detail")`` matches ``keys/7`` and ``keys/7/``."""
    return re_path(rf"^{pattern}/?$", view, name=name)
