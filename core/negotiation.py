"""Content negotiation (§1.3): JSON by default, YAML or HTML on request, else a 406.

DRF's negotiation, with two differences: an empty ``Accept`` header means ``*/*`` (RFC 9110
§12.5.1), and, on the fast path, each answer is remembered. DRF parses the ``Accept``
header and every renderer's media type into ``_MediaType`` objects on every request (about
20 us, 50-60 us inside a full request); the answer depends on nothing but the format asked
for (``?format=`` or a suffix), the ``Accept`` header and the view's renderer classes, and
clients send the same few headers again and again. ``API_FAST_PATHS=0``: DRF's choice each
time (the reference path; tests compare the two).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.renderers import BaseRenderer

from core import caches
from core.conf import fast_paths

# (format, Accept, renderer classes) -> (index of the renderer, media type). Bounded: the
# Accept header is the client's to choose; when full, the table starts again (a client that
# sends a new header each time makes every request pay what DRF alone would).
MAX_REMEMBERED = 512
_chosen: dict[tuple[str | None, str | None, tuple[type[BaseRenderer], ...]], tuple[int, str]] = {}
caches.register(
    "negotiation",
    holds="the renderer DRF chose for each (format, Accept header, renderer classes)",
    bound=f"{MAX_REMEMBERED} answers, then emptied",
    invalidation="none needed: an answer depends on its key alone",
    clear=_chosen.clear,
)


class ContentNegotiation(DefaultContentNegotiation):
    def select_renderer(
        self, request: Any, renderers: Iterable[BaseRenderer], format_suffix: str | None = None
    ) -> tuple[BaseRenderer, str]:
        """DRF's choice, worked out once per (format, ``Accept``, renderer classes).

        A refusal (406, or 404 for an unknown format) is not remembered: it is raised each time.
        """
        renderers = list(renderers)  # a view's list (a tuple elsewhere would do too)
        if not fast_paths():
            return super().select_renderer(request, renderers, format_suffix)
        requested = format_suffix or request.query_params.get(self.settings.URL_FORMAT_OVERRIDE)
        key = (requested, request.META.get("HTTP_ACCEPT"), tuple(type(renderer) for renderer in renderers))
        chosen = _chosen.get(key)
        if chosen is None:
            renderer, media_type = super().select_renderer(request, renderers, format_suffix)
            chosen = (renderers.index(renderer), media_type)
            if len(_chosen) >= MAX_REMEMBERED:
                _chosen.clear()
            _chosen[key] = chosen
        return renderers[chosen[0]], chosen[1]

    def get_accept_list(self, request: Any) -> list[str]:
        """DRF's tokenizer, reading the header from ``META`` (``request.headers`` would copy every
        header of the request first); an empty header is ``*/*``."""
        header = request.META.get("HTTP_ACCEPT", "*/*")
        return [token for token in (part.strip() for part in header.split(",")) if token] or ["*/*"]
