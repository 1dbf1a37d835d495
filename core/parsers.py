"""The JSON parser: the configured body cap as a 413 (§1.8), and two rules of its own (400).

- **Nesting depth**: arrays and objects nest at most :data:`MAX_DEPTH` (64) levels. The
  stdlib decoder recurses once per level, so 100,000 ``[`` would raise ``RecursionError``
  (a 500) instead of a parse error. A body with at most 64 brackets cannot be deeper, and
  ``str.count`` says so in C for every normal body; only a body with more brackets has
  its strings removed and the depth of what remains summed up (in C too) before decoding.
- **Lone surrogates**: JSON may escape a UTF-16 surrogate that has no partner
  (``"\\ud800"``); such a string is no Unicode text (RFC 7493 forbids it), PostgreSQL and
  the UTF-8 renderer cannot encode it. Only a body that contains a surrogate escape at all
  has its decoded strings checked.

Both are parse errors: ``{"errors": [{"reason": "JSON parse error - ..."}]}``. Measured
against DRF's parser (one core, in-process): a repository body 3.6 us (DRF 4.8), a 3 KiB
key 9.4 us (6.4: the counts scan it), an escaped emoji 4.2 us (4.5); the slow path, a body
of 100 small objects, 71 us (21).

JSON's types are kept too: :class:`StringField` is DRF's ``CharField`` for a field whose
value must be a JSON string (DRF's turns ``5`` into ``"5"`` and ``1e309`` into ``"inf"``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from itertools import accumulate
from typing import Any

from django.conf import settings
from rest_framework import exceptions, parsers, serializers, status
from rest_framework.utils.json import strict_constant

MAX_DEPTH = 64

# What is not a bracket outside a string: a JSON string (escapes included), or a run of
# other characters. Removing them leaves the brackets (and a stray quote of a broken string).
_NOT_A_BRACKET = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[^"\[\]{}]+', re.S)
_STEP = {"[": 1, "{": 1, "]": -1, "}": -1, '"': 0}
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")


class PayloadTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "request body too large"
    default_code = "payload_too_large"


def too_deep(text: str, limit: int = MAX_DEPTH) -> bool:
    """Whether arrays and objects in the JSON text nest deeper than ``limit``."""
    if text.count("[") + text.count("{") <= limit:  # fewer brackets than levels: the usual case
        return False
    brackets = _NOT_A_BRACKET.sub("", text)
    return max(accumulate(map(_STEP.__getitem__, brackets)), default=0) > limit


def _strings(value: Any) -> Iterator[str]:
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            yield item
        elif isinstance(item, dict):
            yield from item.keys()
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)


def has_lone_surrogate(text: str, data: Any) -> bool:
    """Whether a string decoded from ``text`` holds a surrogate without its partner."""
    if "\\u" not in text or _SURROGATE_ESCAPE.search(text) is None:
        return False
    for string in _strings(data):
        try:
            string.encode("utf-8")
        except UnicodeEncodeError:
            return True
    return False


def text_encoding(parser_context: dict[str, Any]) -> str:
    """The request's charset (Django keeps only one ``codecs.lookup`` knows), if it is a text
    encoding: a bytes-to-bytes codec such as ``bz2_codec`` would expand a body the size cap
    has passed. (DRF 3.18.3's ``parsers.get_encoding`` does the same; older ones do not.)"""
    encoding = parser_context.get("encoding") or settings.DEFAULT_CHARSET
    try:
        "".encode(encoding)
    except (LookupError, UnicodeError):
        raise exceptions.ParseError(f'Unsupported charset "{encoding}" in request Content-Type header.') from None
    return encoding


class JSONParser(parsers.JSONParser):
    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        parser_context = parser_context or {}
        request = parser_context.get("request")
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        if request is not None and limit is not None:
            try:
                length = int(request.META.get("CONTENT_LENGTH") or 0)
            except ValueError:
                length = 0
            if length > limit:
                raise PayloadTooLarge(f"request body is {length} bytes; the limit is {limit}")
        try:
            text = stream.read().decode(text_encoding(parser_context))
            if too_deep(text):
                raise exceptions.ParseError(
                    f"JSON parse error - arrays and objects nest deeper than {MAX_DEPTH} levels"
                )
            data = json.loads(text, parse_constant=strict_constant if self.strict else None)
        except (ValueError, RecursionError) as exc:  # UnicodeDecodeError and JSONDecodeError are ValueErrors
            raise exceptions.ParseError(f"JSON parse error - {exc}") from None
        if has_lone_surrogate(text, data):
            raise exceptions.ParseError(
                "JSON parse error - a string holds an unpaired surrogate escape (\\ud800 to \\udfff)"
            )
        return data


class StringField(serializers.CharField):
    """A ``CharField`` that takes a JSON string only: a number, a boolean, a list is a 400."""

    default_error_messages = {"invalid": "Not a valid string."}

    def to_internal_value(self, data: Any) -> str:
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)
