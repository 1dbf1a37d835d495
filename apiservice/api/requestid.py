"""Request ids: one id per request, on its response, in its log lines and in the tasks it enqueues.

A client (or a proxy in front) may send its own ``X-Request-ID`` so that its logs and
ours share the id; anything that is not 1-200 characters of ``[A-Za-z0-9._:-]`` is
replaced by a fresh one, so a header can never inject text into a log line::

    GET /api/v1/version                   X-Request-ID: 7f6c0a4e2b5d4c1e9a8b3c2d1e0f9a8b
    GET /api/v1/version                   X-Request-ID: deploy-42.smoke:1   (kept as sent)

The id lives in a context variable for the length of the request (or of a Celery task:
``apiservice/celery.py`` carries it in a message header), and :class:`RequestIdFilter`
puts it on every log record as ``request_id``.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.http import HttpRequest, HttpResponse

from apiservice.api.headers import REQUEST_ID

REQUEST_ID_HEADER = REQUEST_ID
REQUEST_ID_META = "HTTP_X_REQUEST_ID"
# The Celery message header that carries the id from the request to its tasks.
TASK_HEADER = "request_id"
NO_REQUEST_ID = "-"

_VALID = re.compile(r"[A-Za-z0-9._:-]{1,200}")
_current: ContextVar[str | None] = ContextVar("request_id", default=None)


def current_request_id() -> str | None:
    """The id of the request (or task) this code runs for, or None outside one."""
    return _current.get()


def new_request_id() -> str:
    """32 random hex digits (the length of a UUID's hex, without building a UUID)."""
    return os.urandom(16).hex()


def accepted_request_id(value: str | None) -> str:
    """``value`` if it is a valid id, else a new one.

    >>> accepted_request_id("deploy-42.smoke:1")
    'deploy-42.smoke:1'
    >>> len(accepted_request_id("a b\\n"))
    32
    """
    return value if value is not None and _VALID.fullmatch(value) else new_request_id()


@contextmanager
def request_id_context(request_id: str | None) -> Iterator[None]:
    """Makes ``request_id`` the current id inside the block (a request, a task)."""
    token = _current.set(request_id)
    try:
        yield
    finally:
        _current.reset(token)


class RequestIdFilter(logging.Filter):
    """Adds ``record.request_id`` (``-`` outside a request) for ``%(request_id)s`` and JSON logs."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not getattr(record, "request_id", None):
            record.request_id = _current.get() or NO_REQUEST_ID
        return True


class RequestIdMiddleware:
    """Outermost middleware: every response carries the id, errors and 404s included."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = accepted_request_id(request.META.get(REQUEST_ID_META))
        request.request_id = request_id  # type: ignore[attr-defined]
        with request_id_context(request_id):
            response = self.get_response(request)
        response[REQUEST_ID_HEADER] = request_id
        return response
