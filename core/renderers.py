"""Renderers for §1.3 negotiation: JSON (default), YAML and the browsable HTML page.

The JSON and YAML renderers also apply ``?fields=a,b`` (§1.4): on a 2xx object they keep
only the named keys; on a page (see :class:`~core.pagination.KeysetPagination`)
they keep the pagination keys and filter each object of ``results``.
"""

from __future__ import annotations

import json
from typing import Any

import orjson
import yaml
from rest_framework import renderers
from rest_framework.utils import encoders

from core.conf import fast_paths

FIELDS_PARAM = "fields"


def requested_fields(request: Any) -> frozenset[str] | None:
    if request is None:
        return None
    raw = request.query_params.get(FIELDS_PARAM) if hasattr(request, "query_params") else None
    if raw is None:
        return None
    return frozenset(name.strip() for name in raw.split(",") if name.strip())


def keep_fields(data: Any, fields: frozenset[str], *, page: bool) -> Any:
    """Return ``data`` with each object trimmed to ``fields`` (unknown names are ignored)."""
    if page and isinstance(data, dict) and isinstance(data.get("results"), list):
        return {**data, "results": [_trim(item, fields) for item in data["results"]]}
    return _trim(data, fields)


def _trim(item: Any, fields: frozenset[str]) -> Any:
    if isinstance(item, dict):
        return {key: value for key, value in item.items() if key in fields}
    return item


def filtered(data: Any, renderer_context: dict[str, Any] | None) -> Any:
    context = renderer_context or {}
    response = context.get("response")
    if response is None or response.status_code >= 300 or data is None:
        return data
    fields = requested_fields(context.get("request"))
    if fields is None:
        return data
    return keep_fields(data, fields, page=getattr(response, "is_page", False))


class JSONRenderer(renderers.JSONRenderer):
    """``application/json``, compact, UTF-8; the default for JSON-ish and ``*/*`` Accepts."""

    def render(self, data: Any, accepted_media_type: str | None = None, renderer_context: Any = None) -> bytes:
        """DRF's bytes, made by orjson (several times faster than ``json.dumps`` for a page).

        The same compact separators, UTF-8 output and U+2028/U+2029 escapes as DRF's
        renderer; values orjson does not know (lazy strings, Decimals, querysets) go through
        DRF's own encoder, and an ``indent`` asked for in ``Accept`` takes DRF's path
        (``tests/core/test_renderers.py``). One difference: orjson writes a NaN as
        ``null`` where DRF's strict renderer raises; no value this API renders can be NaN.
        """
        data = filtered(data, renderer_context)
        if data is None:
            return b""
        if not fast_paths() or self.get_indent(accepted_media_type or "", renderer_context or {}) is not None:
            return super().render(data, accepted_media_type, renderer_context)
        try:
            out = orjson.dumps(data, default=self._fallback, option=orjson.OPT_PASSTHROUGH_DATETIME)
        except (orjson.JSONEncodeError, TypeError):
            return super().render(data, accepted_media_type, renderer_context)
        # As DRF: U+2028/U+2029 escaped, safe inside <script>. An ASCII body (most are) has
        # neither, and isascii() reads it faster than one search for either.
        if not out.isascii() and (b"\xe2\x80\xa8" in out or b"\xe2\x80\xa9" in out):
            out = out.replace("\u2028".encode(), b"\\u2028").replace("\u2029".encode(), b"\\u2029")
        return out

    _encoder = encoders.JSONEncoder()

    def _fallback(self, value: Any) -> Any:
        return self._encoder.default(value)


class YAMLRenderer(renderers.BaseRenderer):
    """``Accept: application/yaml`` gives the same document as YAML."""

    media_type = "application/yaml"
    format = "yaml"
    charset = "utf-8"

    def render(self, data: Any, accepted_media_type: str | None = None, renderer_context: Any = None) -> bytes:
        if data is None:
            return b""
        plain = json.loads(JSONRenderer().render(filtered(data, renderer_context)))
        return yaml.safe_dump(plain, allow_unicode=True, sort_keys=False).encode()


class BrowsableAPIRenderer(renderers.BrowsableAPIRenderer):
    """``Accept: text/html`` gives DRF's browsable page; its forms are left out (JSON only)."""

    def get_rendered_html_form(self, data: Any, view: Any, method: str, request: Any) -> Any:
        return None
