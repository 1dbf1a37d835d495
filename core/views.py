"""What the API's list views share: a page's rows serialized one by one on the fast path.

DRF's ``ListAPIView`` serializes a page through a ``many=True`` serializer: a
``ListSerializer`` whose child points back at it (a cycle the garbage collector has to find,
holding the page's rows) and a ``ReturnList`` that points at it too. On the fast path the
page is serialized with one instance of the view's serializer, row by row, which is what
``ListSerializer.to_representation`` does (the same output, compared by
``tests/test_fast_paths.py``); ``API_FAST_PATHS=0`` is DRF's own ``list()``.
"""

from __future__ import annotations

from typing import Any

from rest_framework import generics
from rest_framework.request import Request
from rest_framework.response import Response

from core.conf import fast_paths
from core.fast import FastRead


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


class ListView(PageListMixin, generics.ListAPIView):  # type: ignore[type-arg]
    """DRF's ``ListAPIView`` with the page serialized as above."""


class ListCreateView(PageListMixin, generics.ListCreateAPIView):  # type: ignore[type-arg]
    """DRF's ``ListCreateAPIView`` with the page serialized as above."""
