"""Content negotiation (§1.3): JSON by default, YAML or HTML on request, else a 406.

DRF's negotiation, with two differences: an empty ``Accept`` header means ``*/*`` (RFC 9110
§12.5.1), and each answer is remembered. DRF parses the ``Accept`` header and every
renderer's media type into ``_MediaType`` objects on every request (about 20 us, 50-60 us
inside a full request); the answer depends on nothing but the format asked for (``?format=``
or a suffix), the ``Accept`` header and the view's renderer classes, and clients send the
same few headers again and again.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, cast

from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.renderers import BaseRenderer

# (format, Accept, renderer classes) -> (index of the renderer, media type). Bounded: the
# Accept header is the client's to choose; when full, the table starts again (a client that
# sends a new header each time makes every request pay what DRF alone would).
MAX_REMEMBERED = 512
_chosen: dict[tuple[str | None, str | None, tuple[type[BaseRenderer], ...]], tuple[int, str]] = {}


class _AcceptHeader:
    """What DRF's tokenizer reads from a request (``request.headers.get("accept", ...)``), built
    from ``META`` alone: ``request.headers`` copies every header of the request into a new
    mapping (about 15 us), and nothing else on the API's request path reads it."""

    __slots__ = ("headers",)

    def __init__(self, meta: dict[str, Any]) -> None:
        accept = meta.get("HTTP_ACCEPT")
        self.headers = {} if accept is None else {"accept": accept}


class ContentNegotiation(DefaultContentNegotiation):
    def select_renderer(
        self, request: Any, renderers: Iterable[BaseRenderer], format_suffix: str | None = None
    ) -> tuple[BaseRenderer, str]:
        """DRF's choice, worked out once per (format, ``Accept``, renderer classes).

        A refusal (406, or 404 for an unknown format) is not remembered: it is raised each time.
        """
        renderers = list(renderers)  # a view's list (a tuple elsewhere would do too)
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
        """DRF's tokenizer and limits, unchanged (it reads nothing but ``.headers``, duck-typed);
        an empty header is ``*/*``."""
        accepted = super().get_accept_list(cast(Any, _AcceptHeader(request.META)))
        return accepted or ["*/*"]
