"""The API's view base classes: DRF's, with each request's objects freed when it ends.

Every API view derives from one of these (``tests/core/test_views.py`` walks the routes).

**A request freed by reference counting.** DRF leaves three reference cycles per request:
the ``Request`` is in its own ``parser_context`` (``parser_context["request"]``), the
``Response`` is in its own ``renderer_context`` (``["response"]``, added while rendering), and
Django's ``View.setup`` stores ``self.head = self.get`` on a view without ``head()`` (a bound
method of the view, on the view). Each cycle holds the view, both requests, the response,
the serializer and its rows, so they wait for the cyclic garbage collector: about 60 objects
per request, a young collection every ~15 requests. Here:

- ``head`` is set on the class, once, for a view class with ``get()`` and no ``head()``
  (:meth:`ApiViewMixin.__init_subclass__`): the same dispatch as Django's, no cycle.
- On the fast path, :meth:`ApiViewMixin.finalize_response` (DRF's documented hook) adds a
  post-render callback (Django's ``SimpleTemplateResponse.add_post_render_callback``) that
  empties both contexts once the body exists: ``Response.renderer_context`` (which DRF itself
  drops when a response is pickled) and the ``Request``'s ``parser_context`` (read only while
  the body is parsed). Nothing reads either after rendering. The callback is a module
  function, so the response's list of callbacks does not lead back to the view.

Measured in docs/performance.md ("Fifth pass"); ``API_FAST_PATHS=0`` leaves the contexts to
the garbage collector, as DRF does.

**A page serialized without a list serializer.** DRF's ``ListAPIView`` serializes a page
through a ``many=True`` serializer: a ``ListSerializer`` whose child points back at it (one
more cycle, holding the page's rows) and a ``ReturnList`` that points at it too. On the fast
path the page is serialized with one instance of the view's serializer, row by row, which is
what ``ListSerializer.to_representation`` does (the same output, compared by
``tests/test_fast_paths.py``); ``API_FAST_PATHS=0`` is DRF's own ``list()``.
"""

from __future__ import annotations

from typing import Any

from django.template.response import SimpleTemplateResponse
from rest_framework import generics, views
from rest_framework.request import Request
from rest_framework.response import Response

from core.conf import fast_paths
from core.fast import FastRead


def head_as_get(self: Any, request: Any, *args: Any, **kwargs: Any) -> Any:
    """``HEAD`` answered by the view's ``get()``, as Django's ``View.setup`` arranges per instance."""
    return self.get(request, *args, **kwargs)


def release_contexts(response: Any) -> None:
    """Post-render: drop the rendered response's and its request's context dicts (the two
    cycles DRF makes), so the request's objects are freed by reference counting."""
    context = response.renderer_context
    response.renderer_context = None
    request = context.get("request") if isinstance(context, dict) else None
    if isinstance(request, Request):
        request.parser_context = {}  # the old one, with the request in it, is freed


class ApiViewMixin:
    """What every API view adds to DRF's: see the module's docstring."""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if hasattr(cls, "get") and not hasattr(cls, "head"):
            cls.head = head_as_get  # type: ignore[attr-defined]

    def finalize_response(self, request: Request, response: Any, *args: Any, **kwargs: Any) -> Any:
        response = super().finalize_response(request, response, *args, **kwargs)  # type: ignore[misc]
        if fast_paths() and isinstance(response, SimpleTemplateResponse) and hasattr(response, "renderer_context"):
            response.add_post_render_callback(release_contexts)
        return response


class ApiView(ApiViewMixin, views.APIView):
    """DRF's ``APIView`` for the API."""


class PageListMixin:
    """``list()`` for a paginated ``GenericAPIView``, as DRF's but for the serializer it builds."""

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        if not fast_paths():
            return super().list(request, *args, **kwargs)  # type: ignore[misc,no-any-return]
        view: Any = self
        page = view.paginate_queryset(view.filter_queryset(view.get_queryset()))
        serializer = view.get_serializer()
        if isinstance(serializer, FastRead):
            rows = serializer.to_representations(page)
        else:
            rows = [serializer.to_representation(row) for row in page]
        response: Response = view.get_paginated_response(rows)
        return response


class ListView(PageListMixin, ApiViewMixin, generics.ListAPIView):  # type: ignore[type-arg]
    """DRF's ``ListAPIView`` with the page serialized as above."""


class ListCreateView(PageListMixin, ApiViewMixin, generics.ListCreateAPIView):  # type: ignore[type-arg]
    """DRF's ``ListCreateAPIView`` with the page serialized as above."""


class RetrieveDestroyView(ApiViewMixin, generics.RetrieveDestroyAPIView):  # type: ignore[type-arg]
    """DRF's ``RetrieveDestroyAPIView`` for the API."""


class RetrieveUpdateDestroyView(ApiViewMixin, generics.RetrieveUpdateDestroyAPIView):  # type: ignore[type-arg]
    """DRF's ``RetrieveUpdateDestroyAPIView`` for the API."""
