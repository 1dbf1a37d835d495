"""Request ids: one id per request, on its response, in its log lines and in the tasks it enqueues.

A client (or a proxy in front) may send its own ``X-Request-ID`` so that its logs and
ours share the id; anything that is not 1-200 characters of ``[A-Za-z0-9._:-]`` is
replaced by a fresh one, so a header can never inject text into a log line::

    GET /api/v1/version                   X-Request-ID: 7f6c0a4e2b5d4c1e9a8b3c2d1e0f9a8b
    GET /api/v1/version                   X-Request-ID: deploy-42.smoke:1   (kept as sent)

The id is current for the length of the request (:func:`core.context.request_scope`, opened
by :mod:`core.observe`) or of a Celery task (``config/celery.py`` carries it in a message
header), and :class:`RequestIdFilter` puts it on every log record as ``request_id``.
"""

from __future__ import annotations

import logging
import os
import re

from core.context import current_request_id
from core.headers import REQUEST_ID

REQUEST_ID_HEADER = REQUEST_ID
REQUEST_ID_META = "HTTP_X_REQUEST_ID"
# The Celery message header that carries the id from the request to its tasks.
TASK_HEADER = "request_id"
NO_REQUEST_ID = "-"

_VALID = re.compile(r"[A-Za-z0-9._:-]{1,200}")


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


class RequestIdFilter(logging.Filter):
    """Adds ``record.request_id`` (``-`` outside a request) for ``%(request_id)s`` and JSON logs."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not getattr(record, "request_id", None):
            record.request_id = current_request_id() or NO_REQUEST_ID
        return True
