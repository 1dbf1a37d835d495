"""The sourcehut error shape, for every status >= 400 (§1.7).

    {"errors": [{"field": "name", "reason": "name is required"}]}

``field`` is left out when no request field is at fault. A validation failure lists
every bad field, nested ones as dotted paths (``events.0``).

Services raise :class:`ServiceError` (or a subclass, which picks the status); this module
is the one place that turns them into responses, so views need no ``try``/``except``::

    raise ServiceError("name", "you already have a repository named 'hello'")   # 400
    raise NotFoundError(None, "this repository has no README override")         # 404
"""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import Iterator, Mapping
from typing import Any

import orjson
from django.core import signals
from django.core.exceptions import BadRequest, RequestDataTooBig, SuspiciousOperation, TooManyFieldsSent
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.db import DatabaseError
from django.http import Http404, HttpRequest, HttpResponse
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from core.headers import ALLOW, CONTENT_TYPE, RETRY_AFTER, WWW_AUTHENTICATE
from core.outages import OUTAGES, service_of

logger = logging.getLogger("apiservice.errors")

Error = dict[str, str]


class ServiceError(Exception):
    """A request the service refuses (400): ``field`` names the request field at fault, or None.

    The reason is shown to the client as is: it must never contain a secret.
    """

    api_exception: type[exceptions.APIException] = exceptions.ValidationError

    def __init__(self, field: str | None, reason: str) -> None:
        super().__init__(reason)
        self.field, self.reason = field, reason

    def to_api_exception(self) -> exceptions.APIException:
        if self.api_exception is exceptions.ValidationError:
            return exceptions.ValidationError([self.reason] if self.field is None else {self.field: [self.reason]})
        return self.api_exception(self.reason)


class AuthenticationError(ServiceError):
    """401: no usable credential (the response carries ``WWW-Authenticate``)."""

    api_exception = exceptions.AuthenticationFailed


class ForbiddenError(ServiceError):
    """403: authenticated, but this credential may not do that."""

    api_exception = exceptions.PermissionDenied


class NotFoundError(ServiceError):
    """404: absent, or not visible to the caller."""

    api_exception = exceptions.NotFound


NON_FIELD_KEYS = {"non_field_errors", "detail", "__all__"}


def error_body(reason: str, field: str | None = None) -> dict[str, list[Error]]:
    error: Error = {"reason": reason} if field is None else {"field": field, "reason": reason}
    return {"errors": [error]}


def flatten(detail: Any, field: str | None = None) -> Iterator[Error]:
    """Walk DRF's nested error detail and yield one sourcehut error per message."""
    if isinstance(detail, Mapping):
        for key, value in detail.items():
            child = None if key in NON_FIELD_KEYS else (str(key) if field is None else f"{field}.{key}")
            yield from flatten(value, child if key not in NON_FIELD_KEYS else field)
    elif isinstance(detail, list | tuple):
        for index, value in enumerate(detail):
            nested = isinstance(value, Mapping | list | tuple)
            yield from flatten(value, f"{field}.{index}" if nested and field else field)
    else:
        yield {"reason": str(detail)} if field is None else {"field": field, "reason": str(detail)}


def errors_from(exc: exceptions.APIException) -> dict[str, list[Error]]:
    return {"errors": list(flatten(exc.detail))}


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's handler with the body replaced by the sourcehut shape.

    Anything DRF does not know (a database outage, a bug) is left to propagate to the API
    pipeline, which answers with :func:`exception_response`: 503 or 500.
    """
    if isinstance(exc, ServiceError):
        exc = exc.to_api_exception()
    # Django's own exceptions, as DRF maps them, so their bodies get the shape too.
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.APIException):
        response.data = errors_from(exc)
    wait = getattr(exc, "wait", None)
    if isinstance(exc, exceptions.Throttled) and wait is not None:
        response["Retry-After"] = str(max(1, int(wait + 0.999)))
    return response


def json_response(body: Any, status: int = 200) -> HttpResponse:
    """A JSON body outside DRF (the pipeline's own answers), compact as the API's renderer writes it."""
    return HttpResponse(orjson.dumps(body), status=status, content_type="application/json")


def json_error(status_code: int, reason: str, field: str | None = None, **headers: str) -> HttpResponse:
    """A plain-Django JSON error, for places outside DRF views (the pipeline's steps, handlers)."""
    response = json_response(error_body(reason, field), status=status_code)
    for name, value in headers.items():
        response[name.replace("_", "-")] = value
    return response


STATUS_REASONS = {
    status.HTTP_400_BAD_REQUEST: "bad request",
    status.HTTP_401_UNAUTHORIZED: "authentication required",
    status.HTTP_403_FORBIDDEN: "forbidden",
    status.HTTP_404_NOT_FOUND: "not found",
    status.HTTP_405_METHOD_NOT_ALLOWED: "method not allowed",
    status.HTTP_406_NOT_ACCEPTABLE: "no acceptable representation; use application/json, application/yaml or text/html",
    status.HTTP_413_REQUEST_ENTITY_TOO_LARGE: "request body too large",
    status.HTTP_415_UNSUPPORTED_MEDIA_TYPE: "unsupported media type; send application/json",
    status.HTTP_429_TOO_MANY_REQUESTS: "rate limit exceeded",
    status.HTTP_500_INTERNAL_SERVER_ERROR: "internal server error",
    status.HTTP_503_SERVICE_UNAVAILABLE: "service temporarily unavailable",
}


# ------------------------------------------------- what the API pipeline answers

RETRY_AFTER_SECONDS = "5"
# Django's answers to these exceptions (django.core.handlers.exception), in the error shape
CLIENT_ERRORS: tuple[tuple[type[BaseException], int], ...] = (
    (Http404, 404),
    (DjangoPermissionDenied, 403),
    (RequestDataTooBig, 413),
    (TooManyFieldsSent, 400),
    (BadRequest, 400),
    (SuspiciousOperation, 400),
)


def is_unavailable(exc: BaseException) -> bool:
    """True for errors that mean a backing service is down, not that the code is wrong."""
    return service_of(exc) is not None


def exception_response(request: HttpRequest, exc: BaseException) -> HttpResponse:
    """The JSON answer to an exception nothing else handled: 503 for an outage, Django's status
    for its own request errors, else a 500 (a bug: logged with its traceback, and sent to
    ``got_request_exception`` as Django's handler does, which error trackers listen to)."""
    service = service_of(exc)
    if service is not None:  # logged once per outage, not per request (core/outages.py)
        OUTAGES.failed(service, exc, refused=True)
        return json_error(503, STATUS_REASONS[503], Retry_After=RETRY_AFTER_SECONDS)
    for kind, status_code in CLIENT_ERRORS:
        if isinstance(exc, kind):
            return json_error(status_code, STATUS_REASONS[status_code])
    if isinstance(exc, DatabaseError):
        logger.error("database error", exc_info=exc)
    else:
        logger.error("unhandled error on %s %s", request.method, request.path, exc_info=exc)
    signals.got_request_exception.send(sender=None, request=request)
    return json_error(500, STATUS_REASONS[500])


def in_error_shape(response: HttpResponse) -> HttpResponse:
    """``response``, or for an error that is not JSON already (a view's plain 405, a 404 page),
    the same status in the error shape, keeping the headers that explain it."""
    if response.status_code < 400 or isinstance(response, Response):
        return response
    if response.get(CONTENT_TYPE, "").startswith("application/json"):
        return response
    replacement = json_error(response.status_code, STATUS_REASONS.get(response.status_code, "error"))
    for header in (ALLOW, RETRY_AFTER, WWW_AUTHENTICATE):
        if header in response:
            replacement[header] = response[header]
    return replacement


# ------------------------------------------- the OAuth endpoints' shape (RFC 6749 §5.2)

# The error codes of the statuses the pipeline answers itself; any other 4xx is a request
# the endpoint could not take (RFC 6749 registers no code for a rate limit: a 429 says
# "temporarily unavailable" with its status and Retry-After, as a 503 does).
OAUTH_ERROR_CODES = {
    401: "invalid_client",
    429: "temporarily_unavailable",
    500: "server_error",
    503: "temporarily_unavailable",
}
# RFC 6749 §5.2: error_description is printable ASCII without '"' and '\\'
OAUTH_DESCRIPTION_UNSAFE = re.compile(r"[^\x20-\x21\x23-\x5b\x5d-\x7e]")


def in_oauth_error_shape(response: HttpResponse) -> HttpResponse:
    """``response``, or for an error in the sourcehut shape (a 429 or 503 of the pipeline, a
    405, a 413, a 500) the same status in RFC 6749's shape, headers kept (``Retry-After``,
    the rate-limit headers)::

        {"error": "temporarily_unavailable", "error_description": "rate limit exceeded for oauth-token; retry in 36 s"}

    The OAuth endpoints answer every error so: a client library reads a body without
    ``error`` as a token (authlib does, and returns a 429's body as if it were one).
    An error already in OAuth's shape (django-oauth-toolkit's own) is left as it is.
    """
    if response.status_code < 400 or response.streaming:
        return response
    try:
        body = orjson.loads(response.content)
    except orjson.JSONDecodeError:
        body = None
    if isinstance(body, dict) and "error" in body:
        return response
    errors = body.get("errors") if isinstance(body, dict) else None
    reasons = [
        f"{each['field']}: {each['reason']}" if each.get("field") else str(each.get("reason", ""))
        for each in (errors if isinstance(errors, list) else [])
        if isinstance(each, dict)
    ]
    description = "; ".join(reasons) or STATUS_REASONS.get(response.status_code, "error")
    response.content = orjson.dumps(
        {
            "error": OAUTH_ERROR_CODES.get(response.status_code, "invalid_request"),
            "error_description": OAUTH_DESCRIPTION_UNSAFE.sub("", description.replace('"', "'")),
        }
    )
    response[CONTENT_TYPE] = "application/json"
    response["Cache-Control"] = "no-store"  # RFC 6749 §5.1, as the library's own errors say
    response["Pragma"] = "no-cache"
    return response


def server_error(request: HttpRequest) -> HttpResponse:
    """``handler500`` for the pages outside the API (the API pipeline answers its own errors):
    Django's page, or a 503 when the cause is an outage."""
    from django.views.defaults import server_error as html_server_error

    exc = sys.exc_info()[1]
    if exc is not None and is_unavailable(exc):
        return exception_response(request, exc)
    return html_server_error(request)
