"""Keeps every response under ``/api/`` in the sourcehut error shape (§1.7, §1.8).

Django's own 404 (no route), 500 (an unhandled exception), CSRF 403 and 413 (body too
large) are HTML by default; here they become JSON. An unreachable database or Redis is a
503 with ``Retry-After``, never a 500.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.core.exceptions import RequestDataTooBig
from django.db import DatabaseError, InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from rest_framework.response import Response

from apiservice.api.errors import STATUS_REASONS, json_error
from apiservice.api.headers import ALLOW, API_PREFIX, RETRY_AFTER, WWW_AUTHENTICATE

logger = logging.getLogger("apiservice.errors")

RETRY_AFTER_SECONDS = "5"
UNAVAILABLE = (OperationalError, InterfaceError, RedisConnectionError, RedisTimeoutError)


def is_unavailable(exc: BaseException) -> bool:
    """True for errors that mean a backing service is down, not that the code is wrong."""
    if isinstance(exc, UNAVAILABLE):
        return True
    try:
        from kombu.exceptions import OperationalError as BrokerError
    except ImportError:  # pragma: no cover
        return False
    return isinstance(exc, BrokerError)


class ApiErrorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not request.path.startswith(API_PREFIX) or response.status_code < 400:
            return response
        if isinstance(response, Response) or response.get("Content-Type", "").startswith("application/json"):
            return response
        replacement = json_error(response.status_code, STATUS_REASONS.get(response.status_code, "error"))
        for header in (ALLOW, RETRY_AFTER, WWW_AUTHENTICATE):
            if header in response:
                replacement[header] = response[header]
        for name, value in response.items():
            if name.lower().startswith(("x-ratelimit", "ratelimit")):
                replacement[name] = value
        return replacement

    def process_exception(self, request: HttpRequest, exc: Exception) -> HttpResponse | None:
        if not request.path.startswith(API_PREFIX):
            return None
        return exception_response(request, exc)


def exception_response(request: HttpRequest, exc: BaseException) -> HttpResponse:
    """The JSON answer to an exception nothing else handled: 503 for an outage, else 500."""
    if is_unavailable(exc):
        logger.warning("backing service unavailable: %s: %s", type(exc).__name__, exc)
        return json_error(503, STATUS_REASONS[503], Retry_After=RETRY_AFTER_SECONDS)
    if isinstance(exc, RequestDataTooBig):
        return json_error(413, STATUS_REASONS[413])
    if isinstance(exc, DatabaseError):
        logger.error("database error", exc_info=exc)
    else:
        logger.error("unhandled error on %s %s", request.method, request.path, exc_info=exc)
    return json_error(500, STATUS_REASONS[500])


def server_error(request: HttpRequest) -> HttpResponse:
    """``handler500``: also reached by exceptions raised in middleware, which skip process_exception.

    Django calls it while handling the exception, so ``sys.exc_info()`` still holds it.
    """
    import sys

    from django.views.defaults import server_error as html_server_error

    exc = sys.exc_info()[1]
    if request.path.startswith(API_PREFIX) or (exc is not None and is_unavailable(exc)):
        return exception_response(request, exc) if exc is not None else json_error(500, STATUS_REASONS[500])
    return html_server_error(request)
