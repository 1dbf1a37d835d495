"""URL helpers: every route answers with and without a trailing slash, nothing redirects (§1.1);
a malformed id in a path is a 400 naming it, a well-formed one that does not exist a 404.

    route(f"keys/{ID}", view, "api-key-detail")          # keys/7, keys/7/; keys/abc is a 400

An id segment matches anything but a slash (:data:`ID`, or ``(?P<name>[^/]+)``), so a
malformed id reaches a route instead of falling through to "not found"; the pipeline step
:func:`well_formed_ids` then checks each id parameter by its name (:data:`PATH_IDS`), after
the credential and scope checks, before the view (Software Heritage's convention).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any
from uuid import UUID

from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern, re_path

from core.context import ApiContext
from core.errors import json_response
from core.pipeline import Next

ID = r"(?P<pk>[^/]+)"
BIGINT_MAX = 2**63 - 1  # ids are PostgreSQL bigints
HEX = re.compile(r"[0-9A-Fa-f ]+")


def route(pattern: str, view: Any, name: str) -> URLPattern:
    """``route("keys/(?P<pk>[^/]+)", view, "key-detail")`` matches ``keys/7`` and ``keys/7/``."""
    return re_path(rf"^{pattern}/?$", view, name=name)


def is_integer_id(value: str) -> bool:
    return value.isascii() and value.isdigit() and int(value) <= BIGINT_MAX


def is_uuid(value: str) -> bool:
    try:
        return str(UUID(value)) == value.lower()  # the hyphenated form only, as the API writes them
    except ValueError:
        return False


def is_hex(value: str) -> bool:
    return HEX.fullmatch(value) is not None


# Path parameters that are ids, by their name in the URL patterns: (the name the 400 gives
# it, the check, what a well-formed one is).
PATH_IDS: dict[str, tuple[str, Callable[[str], bool], str]] = {
    "pk": ("id", is_integer_id, f"an integer from 0 to {BIGINT_MAX}"),
    "webhook_id": ("webhook_id", is_integer_id, f"an integer from 0 to {BIGINT_MAX}"),
    "delivery_id": ("delivery_id", is_uuid, "a UUID (8-4-4-4-12 hexadecimal digits)"),
    "uuid": ("uuid", is_uuid, "a UUID (8-4-4-4-12 hexadecimal digits)"),
    "fingerprint": ("fingerprint", is_hex, "hexadecimal digits (spaces allowed)"),
}


def malformed_ids(kwargs: dict[str, Any]) -> list[dict[str, str]]:
    """The sourcehut errors for the malformed ids among a route's parameters (none: all well formed)."""
    errors = []
    for parameter, value in kwargs.items():
        known = PATH_IDS.get(parameter)
        if known is not None and isinstance(value, str) and not known[1](value):
            field, _, expected = known
            errors.append({"field": field, "reason": f"{field} must be {expected}"})
    return errors


def well_formed_ids(request: HttpRequest, ctx: ApiContext, next: Next) -> HttpResponse:
    """The pipeline step: a 400 for a path whose ids are malformed (``/keys/abc``)."""
    errors = malformed_ids(dict(ctx.route.kwargs)) if ctx.route is not None else []
    if errors:
        return json_response({"errors": errors}, status=400)
    return next(ctx)
