"""Lists in the portal page as the API's do (keyset, newest first, ``?start=<id>``), from the same
read models: a queryset (``core.pagination.QuerySetPages``) or a resource's own (``RepoQuery``)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest

from core.pagination import Page, PageRequest, Pages, QuerySetPages

PER_PAGE = 20


def page_of(request: HttpRequest, rows: QuerySet[Any] | Pages, *, per_page: int | None = None) -> Page[Any]:
    """The page ``?start=`` asks for (a bad ``start`` is the first page: a person followed a link).
    ``per_page`` defaults to ``PER_PAGE``, read at each call (a test may make it small)."""
    raw = request.GET.get("start", "")
    start = int(raw) if raw.isdigit() else None
    pages = rows if isinstance(rows, Pages) else QuerySetPages(rows)
    return pages.page(PageRequest(start, per_page or PER_PAGE))
