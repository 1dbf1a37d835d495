"""OpenAPI: which operations take a credential, so Swagger UI draws the right padlock.

drf-spectacular puts ``[{"bearer": []}]`` on every operation behind the credential
authentication class, and adds ``{}`` only for ``AllowAny`` views. This hook says what
each operation really does with a credential:

- required (the default): ``[{"bearer": []}]``, a closed padlock;
- optional, where an anonymous caller is served too (``AllowAny`` views, and the safe
  methods of views with ``allow_anonymous_read``: public profiles, public repositories,
  key look-ups): ``[{}, {"bearer": []}]``, an open padlock until you authorize;
- none (``extend_schema(auth=[])``, e.g. ``POST /authenticate``, whose key comes in the
  body): ``[]``, no padlock at all.
"""

from __future__ import annotations

import re
from typing import Any

from core.context import anonymous_allowed

NONE: list[dict[str, list[str]]] = []
_PARAMETER = re.compile(r"\{[^}]*\}")


def postprocess(result: dict[str, Any], generator: Any, request: Any, public: bool) -> dict[str, Any]:
    """Rewrite each operation's ``security`` from its view's permission classes."""
    optional = {key for key, view_class in _views(generator) if anonymous_allowed(view_class, key[1])}
    for path, path_item in result.get("paths", {}).items():
        for method, operation in path_item.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            if not operation.get("security"):
                operation["security"] = NONE
            elif (_normalise(path), method.upper()) in optional:
                operation["security"] = [{}, *(requirement for requirement in operation["security"] if requirement)]
    return result


def _views(generator: Any) -> list[tuple[tuple[str, str], type]]:
    """``((normalised path, METHOD), view class)`` for every endpoint the generator saw."""
    endpoints = getattr(generator, "endpoints", None) or []
    return [
        ((_normalise(path), method.upper()), getattr(callback, "cls", None) or type(None))
        for path, _regex, method, callback in endpoints
    ]


def _normalise(path: str) -> str:
    """``/api/v1/keys/{pk}/`` and ``/api/v1/keys/{id}`` are one path: parameter names and slashes aside."""
    return _PARAMETER.sub("{}", path).rstrip("/")
