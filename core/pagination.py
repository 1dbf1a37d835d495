"""Sourcehut's keyset pagination (§1.9).

    GET /api/v1/repos?start=120&per_page=2
    Link: <http://host/api/v1/repos?start=118&per_page=2>; rel="next"

    {"next": "118", "results": [{"id": 120, ...}, {"id": 119, ...}],
     "results_per_page": 2, "total": 120}

Lists are ordered by id, newest first; ``start`` is inclusive (``id <= start``); no
``start``, an empty one or ``-1`` is the first page. Each page is one ``WHERE id <= start
ORDER BY id DESC LIMIT n+1`` query (never OFFSET), so page N costs what page 1 costs.
``total`` comes from a ``COUNT(*)``, unless the rows carry it: a queryset whose ``.values()``
rows include ``TOTAL_KEY`` (a per-owner counter as a scalar subquery) gets the page and its
total in one SQL round trip.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db.models import QuerySet
from rest_framework import exceptions
from rest_framework.pagination import BasePagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param

DEFAULT_PER_PAGE = 50
MAX_PER_PAGE = 100
TOTAL_KEY = "page_total"  # a .values() key holding the collection's size, on every row


MAX_ID = 2**63 - 1  # PostgreSQL's bigint: no id is larger


def parse_start(raw: str | None) -> int | None:
    """``None``/``""``/``"-1"`` -> first page; an id from 0 to :data:`MAX_ID` -> that id; else a 400."""
    if raw is None or raw.strip() in ("", "-1"):
        return None
    try:
        start = int(raw)
    except ValueError:
        start = -2
    if not 0 <= start <= MAX_ID:
        raise exceptions.ValidationError(
            {"start": [f"start must be an id from 0 to {MAX_ID}, or -1 for the first page"]}
        )
    return start


def parse_per_page(raw: str | None) -> int:
    if raw is None or raw.strip() == "":
        return DEFAULT_PER_PAGE
    try:
        value = int(raw)
    except ValueError:
        value = 0
    if not 1 <= value <= MAX_PER_PAGE:
        raise exceptions.ValidationError({"per_page": [f"per_page must be an integer from 1 to {MAX_PER_PAGE}"]})
    return value


class PageResponse(Response):
    """A page: the renderers apply ``?fields=`` to each item of ``results``, not to the page."""

    is_page = True


class KeysetPagination(BasePagination):
    """Keyset pagination on ``id``; works on any queryset of objects with an integer ``id``.

    Override :meth:`get_total` where a cheaper count exists.
    """

    ordering_field = "id"

    def paginate_queryset(self, queryset: Any, request: Request, view: Any = None) -> list[Any]:
        start = parse_start(request.query_params.get("start"))
        self.per_page = parse_per_page(request.query_params.get("per_page"))
        self.request = request
        if hasattr(queryset, "keyset_page"):  # a list that pages itself (raw SQL for a hot list)
            rows = queryset.keyset_page(start=start, limit=self.per_page + 1)
        else:
            page = queryset.order_by(f"-{self.ordering_field}")
            if start is not None:
                page = page.filter(**{f"{self.ordering_field}__lte": start})
            rows = list(page[: self.per_page + 1])
        if rows and isinstance(rows[0], dict) and TOTAL_KEY in rows[0]:
            self.total = rows[0][TOTAL_KEY] or 0
        elif not rows and (start is None or hasattr(queryset, "keyset_page")):
            # an empty first page is an empty collection; a self-paging list past its end
            # asks its first row for the total
            first = queryset.keyset_page(start=None, limit=1) if start is not None else []
            self.total = first[0][TOTAL_KEY] if first else 0
        else:  # no rows carry it (or a page past the end): count
            self.total = self.get_total(queryset)
        self.next_id = self.key_of(rows[self.per_page]) if len(rows) > self.per_page else None
        return rows[: self.per_page]

    def key_of(self, row: Any) -> Any:
        """The ordering value of a row: a model instance, or a dict from ``.values()``."""
        return row[self.ordering_field] if isinstance(row, dict) else getattr(row, self.ordering_field)

    def get_total(self, queryset: QuerySet[Any]) -> int:
        return queryset.order_by().count()

    def page_body(self, results: Sequence[Any]) -> dict[str, Any]:
        return {
            "next": None if self.next_id is None else str(self.next_id),
            "results": list(results),
            "results_per_page": self.per_page,
            "total": self.total,
        }

    def get_paginated_response(self, data: Sequence[Any]) -> Response:
        response = PageResponse(self.page_body(data))
        if self.next_id is not None:
            response["Link"] = f'<{self.get_next_link()}>; rel="next"'
        return response

    def get_next_link(self) -> str | None:
        if self.next_id is None:
            return None
        return replace_query_param(self.request.build_absolute_uri(), "start", self.next_id)

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        return [
            {
                "name": "start",
                "in": "query",
                "required": False,
                "description": "Id of the first item of the page (inclusive); -1 or empty for the first page.",
                "schema": {"type": "integer"},
            },
            {
                "name": "per_page",
                "in": "query",
                "required": False,
                "description": f"Page size, 1 to {MAX_PER_PAGE} (default {DEFAULT_PER_PAGE}).",
                "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE, "default": DEFAULT_PER_PAGE},
            },
        ]

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        return {
            "type": "object",
            "required": ["next", "results", "results_per_page", "total"],
            "properties": {
                "next": {"type": "string", "nullable": True, "example": "118"},
                "results": schema,
                "results_per_page": {"type": "integer", "example": DEFAULT_PER_PAGE},
                "total": {"type": "integer", "example": 120},
            },
        }
