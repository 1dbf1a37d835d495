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
total in one SQL round trip. A resource's read model may page itself (:class:`Pages`): the
repository list is hand-written SQL on its fast path.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypeVar, runtime_checkable

from django.db.models import QuerySet
from rest_framework import exceptions
from rest_framework.pagination import BasePagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param

DEFAULT_PER_PAGE = 50
MAX_PER_PAGE = 100
TOTAL_KEY = "page_total"  # a .values() key holding the collection's size, on every row
Row = TypeVar("Row")


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


@dataclass(frozen=True, slots=True)
class PageRequest:
    """What a client asked for: ``?start=`` (None: the first page) and ``?per_page=``."""

    start: int | None
    per_page: int

    @classmethod
    def of(cls, query: Any) -> PageRequest:
        return cls(parse_start(query.get("start")), parse_per_page(query.get("per_page")))


@dataclass(frozen=True, slots=True)
class Page(Generic[Row]):
    """One page of a collection: its rows (newest first), the collection's size, where the next starts."""

    rows: list[Row]
    total: int
    next: int | None


@runtime_checkable
class Pages(Protocol):
    """A collection that makes its own pages (a resource's read model, such as ``RepoQuery``)."""

    def page(self, wanted: PageRequest) -> Page[Any]: ...


def key_of(row: Any) -> int:
    """The id of a row: a model instance, or a dict from ``.values()``."""
    return int(row["id"] if isinstance(row, dict) else row.id)


def page_of(rows: Sequence[Any], wanted: PageRequest, total: Callable[[], int]) -> Page[Any]:
    """The page from up to ``per_page + 1`` rows fetched newest first (the extra one says where
    the next page starts). ``total``: the size of the collection, asked only when the rows do
    not carry it as ``TOTAL_KEY`` (a per-owner counter read in the same statement)."""
    first = rows[0] if rows else None
    counted = first[TOTAL_KEY] if isinstance(first, dict) and TOTAL_KEY in first else None
    if first is None and wanted.start is None:  # an empty first page: an empty collection
        counted = 0
    extra = rows[wanted.per_page] if len(rows) > wanted.per_page else None
    return Page(
        list(rows[: wanted.per_page]),
        total() if counted is None else counted or 0,
        key_of(extra) if extra is not None else None,
    )


@dataclass(frozen=True)
class QuerySetPages:
    """Pages of any queryset of rows with an integer ``id``: one ``WHERE id <= start ORDER BY id
    DESC LIMIT n+1`` query (never OFFSET), the total from the rows or a ``COUNT(*)``."""

    queryset: QuerySet[Any, Any]

    def page(self, wanted: PageRequest) -> Page[Any]:
        rows = self.queryset.order_by("-id")
        if wanted.start is not None:
            rows = rows.filter(id__lte=wanted.start)
        return page_of(list(rows[: wanted.per_page + 1]), wanted, self.queryset.order_by().count)


class PageResponse(Response):
    """A page: the renderers apply ``?fields=`` to each item of ``results``, not to the page."""

    is_page = True


class KeysetPagination(BasePagination):
    """DRF's pagination for every list: a view's ``get_queryset()`` is a queryset (paged by
    :class:`QuerySetPages`) or a read model that pages itself (:class:`Pages`)."""

    page: Page[Any]

    def paginate_queryset(self, queryset: Any, request: Request, view: Any = None) -> list[Any]:
        self.request = request
        self.wanted = PageRequest.of(request.query_params)
        # Not isinstance(queryset, Pages): a runtime protocol check walks the protocol's
        # members on every call (~15,000 instructions on Python 3.11).
        pages: Pages = QuerySetPages(queryset) if isinstance(queryset, QuerySet) else queryset
        self.page = pages.page(self.wanted)
        return self.page.rows

    def page_body(self, results: Sequence[Any]) -> dict[str, Any]:
        return {
            "next": None if self.page.next is None else str(self.page.next),
            "results": list(results),
            "results_per_page": self.wanted.per_page,
            "total": self.page.total,
        }

    def get_paginated_response(self, data: Sequence[Any]) -> Response:
        response = PageResponse(self.page_body(data))
        if self.page.next is not None:
            response["Link"] = f'<{self.get_next_link()}>; rel="next"'
        # The rows are serialized: let them go now. A DRF view, its request and its response
        # refer to each other, so what the view keeps (this paginator) waits for the cyclic
        # garbage collector; a page of rows kept here was most of what it had to walk.
        self.page = Page([], self.page.total, self.page.next)
        return response

    def get_next_link(self) -> str | None:
        if self.page.next is None:
            return None
        return replace_query_param(self.request.build_absolute_uri(), "start", self.page.next)

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        return [
            {
                "name": "start",
                "in": "query",
                "required": False,
                # A string, as `next` is on the wire (§1.9): a client passes the `next` of a page as
                # the `start` of the following one unchanged, whatever its language's types.
                "description": (
                    "Where the page starts: the `next` of the previous page, as given (an id, inclusive). "
                    "Empty or `-1` for the first page."
                ),
                "schema": {
                    "type": "string",
                    "pattern": "^(-1|[0-9]{0,19})$",
                    "example": "118",
                    "description": "The `next` of the previous page, as given; empty or `-1`: the first page.",
                },
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
                "next": {
                    "type": "string",
                    "nullable": True,
                    "example": "118",
                    "description": "The `start` of the next page (an id, as a string); null on the last page.",
                },
                "results": schema,
                "results_per_page": {"type": "integer", "example": DEFAULT_PER_PAGE},
                "total": {"type": "integer", "example": 120},
            },
        }
