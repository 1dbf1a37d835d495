"""Frees each DRF request's objects as soon as its response is rendered, not at the next garbage collection.

A DRF view, its ``Request`` and its ``Response`` refer to each other: ``view.request`` and
``request.parser_context["view"]``, ``view.response`` and ``response.renderer_context["view"]``,
``renderer_context["response"]``, and Django's ``view.head = view.get`` for a view without
``head()``. Reference counting cannot free such a ring, so every request's view, requests,
response, serializer and rows (a whole page of them for a list) wait for the cyclic
garbage collector, which then runs every ~15 requests and frees ~900 objects at a time.
A list adds one more ring: a ``many=True`` serializer and its child (``child.parent``),
which holds the page's rows, the view and the request.

The middleware sits innermost, where the response is already rendered, and cuts those
references; the pagination cuts the list serializer's once it has the page's data
(:func:`release_list_serializer`). Everything is then freed when the request ends.
Nothing reads them after rendering (``render()`` of a rendered response does nothing).
Measured in one process (``bench.profile`` rows, CPU time in interleaved batches): a
repository 6-22 us less per request, a page of 50 up to 45 us less, collections from one
per ~15 requests to one per several hundred (docs/performance.md, the fourth round).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse

# the view's attributes that point back into the ring (APIView.dispatch and View.setup set them)
VIEW_BACKREFS = ("request", "response", "head")


def release_cycles(response: Any) -> None:
    """Cut the references between a rendered DRF response, its view and its request."""
    context = getattr(response, "renderer_context", None)
    if not context or not getattr(response, "is_rendered", False):
        return
    response.renderer_context = None
    request = context.get("request")
    if request is not None and hasattr(request, "parser_context"):
        request.parser_context = None
    view = context.get("view")
    if view is not None:
        attributes = vars(view)
        head = attributes.get("head")
        for name in VIEW_BACKREFS:
            if name != "head" or getattr(head, "__self__", None) is view:  # only the bound self-reference
                attributes.pop(name, None)


def release_list_serializer(data: Any) -> None:
    """Cut the child's reference to its ``many=True`` serializer, once ``data`` (its ``.data``,
    which keeps the serializer as ``data.serializer``) has been read and copied."""
    serializer = getattr(data, "serializer", None)
    child = getattr(serializer, "child", None)
    if child is not None and getattr(child, "parent", None) is serializer:
        child.parent = None


class ReleaseCyclesMiddleware:
    """Innermost: the response it sees has been rendered by Django's handler."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        release_cycles(response)
        return response
