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
from django.http.multipartparser import MultiPartParserError
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


# ------------------------------------------------------- one voice (issue 26.8)
# Every reason reads the same, whoever wrote it: lower case first, no closing period, and a
# field's reason names the field and what it must be ("name is required", "per_page must be
# an integer from 1 to 100"). The services write theirs so; DRF's and Django's defaults are
# rewritten here, by the code DRF gives each message (``ErrorDetail.code``), in one table.
# Messages a serializer wrote itself (its own wording, or ``error_messages``) are kept, but
# for the case and the period.

DRF_FIELD_MESSAGES: dict[str, tuple[re.Pattern[str], str]] = {
    # code: (DRF's default text, the service's); {field} is the field's dotted path
    "required": (re.compile(r"This field is required\."), "{field} is required"),
    "null": (re.compile(r"This field may not be null\."), "{field} may not be null"),
    "blank": (re.compile(r"This field may not be blank\."), "{field} may not be blank"),
    "empty": (re.compile(r"This (?:list|selection|dictionary) may not be empty\."), "{field} may not be empty"),
    "invalid_choice": (
        re.compile(r'"(?P<input>.*)" is not a valid choice\.', re.S),
        '{field}: "{input}" is not one of the allowed values',
    ),
    "max_length": (
        re.compile(r"Ensure this field has no more than (?P<n>\d+) (?P<what>\w+)\."),
        "{field} must have at most {n} {what}",
    ),
    "min_length": (
        re.compile(r"Ensure this field has at least (?P<n>\d+) (?P<what>\w+)\."),
        "{field} must have at least {n} {what}",
    ),
    "max_value": (re.compile(r"Ensure this value is less than or equal to (?P<n>.+)\."), "{field} must be at most {n}"),
    "min_value": (
        re.compile(r"Ensure this value is greater than or equal to (?P<n>.+)\."),
        "{field} must be at least {n}",
    ),
    "not_a_list": (
        re.compile(r'Expected a list of items but got type "(?P<type>\w+)"\.'),
        "{field} must be a list, not {type}",
    ),
    "not_a_dict": (
        re.compile(r'Expected a dictionary of items but got type "(?P<type>\w+)"\.'),
        "{field} must be an object, not {type}",
    ),
    "null_characters_not_allowed": (
        re.compile(r"Null characters are not allowed\."),
        "{field} may not contain null characters",
    ),
    "unique": (re.compile(r"This field must be unique\."), "{field} must be unique"),
}
DRF_INVALID_MESSAGES: tuple[tuple[re.Pattern[str], str], ...] = (
    # code "invalid", which DRF gives many texts
    (re.compile(r"Not a valid string\."), "{field} must be a string"),
    (re.compile(r"A valid integer is required\."), "{field} must be an integer"),
    (re.compile(r"A valid number is required\."), "{field} must be a number"),
    (re.compile(r"Must be a valid boolean\."), "{field} must be a boolean"),
    (re.compile(r"Enter a valid URL\."), "{field} must be a valid URL"),
    (re.compile(r"Enter a valid email address\."), "{field} must be a valid email address"),
    (re.compile(r"Must be a valid UUID\."), "{field} must be a UUID"),
    (
        re.compile(r"Datetime has wrong format\..*", re.S),
        "{field} must be an RFC 3339 date-time, e.g. 2027-01-01T00:00:00+00:00",
    ),
    (
        re.compile(r"Invalid data\. Expected a dictionary, but got (?P<type>\w+)\."),
        "the body must be a JSON object, not {type}",
    ),
)


def one_of(field: str, choices: Any) -> dict[str, Any]:
    """A choice field's ``error_messages``, naming what it takes::

    serializers.ChoiceField(choices=VISIBILITIES, error_messages=one_of("visibility", VISIBILITIES))
    # -> 'visibility must be one of public, unlisted, private; got "secret"'
    """
    values = [str(choice[0] if isinstance(choice, tuple | list) else choice) for choice in choices]
    return {"invalid_choice": f'{field} must be one of {", ".join(values)}; got "{{input}}"'}


def in_one_voice(text: str) -> str:
    """``"Not found."`` -> ``"not found"``: lower case first (not an acronym: "JSON", "URL"), no closing period."""
    if text.endswith(".") and not text.endswith(".."):
        text = text[:-1]
    if len(text) > 1 and text[0].isupper() and not text[1].isupper():
        text = text[0].lower() + text[1:]
    return text


def reason_for(detail: Any, field: str | None) -> str:
    """The service's wording of one DRF message about ``field`` (None: the request as a whole)."""
    text, code = str(detail), getattr(detail, "code", None)
    name = field or "the body"
    known = DRF_FIELD_MESSAGES.get(code) if isinstance(code, str) else None
    candidates = [known] if known is not None else list(DRF_INVALID_MESSAGES) if code == "invalid" else []
    for pattern, template in candidates:
        match = pattern.fullmatch(text)
        if match is not None:
            return template.format(field=name, **match.groupdict())
    return in_one_voice(text)


def flatten(detail: Any, field: str | None = None) -> Iterator[Error]:
    """Walk DRF's nested error detail and yield one sourcehut error per message, in the service's voice."""
    if isinstance(detail, Mapping):
        for key, value in detail.items():
            child = None if key in NON_FIELD_KEYS else (str(key) if field is None else f"{field}.{key}")
            yield from flatten(value, child if key not in NON_FIELD_KEYS else field)
    elif isinstance(detail, list | tuple):
        for index, value in enumerate(detail):
            nested = isinstance(value, Mapping | list | tuple)
            yield from flatten(value, f"{field}.{index}" if nested and field else field)
    else:
        reason = reason_for(detail, field)
        yield {"reason": reason} if field is None else {"field": field, "reason": reason}


def errors_from(exc: exceptions.APIException, request: Any = None) -> dict[str, list[Error]]:
    """The body for one of DRF's exceptions; its stock texts for the statuses the pipeline
    also answers ("Not found.", 'Method "DELETE" not allowed.') become the pipeline's."""
    default = getattr(type(exc), "default_detail", None)
    if isinstance(exc, exceptions.MethodNotAllowed):
        method = getattr(request, "method", None)
        return error_body(f"method {method} not allowed" if method else STATUS_REASONS[405])
    if isinstance(exc, exceptions.UnsupportedMediaType):
        return error_body(STATUS_REASONS[415])
    stock = isinstance(exc, exceptions.NotAcceptable | exceptions.Throttled) or str(exc.detail) == str(default)
    if stock and exc.status_code in STATUS_REASONS:
        return error_body(STATUS_REASONS[exc.status_code])
    if isinstance(exc, exceptions.ParseError) and str(exc.detail).startswith("JSON parse error - "):
        return error_body("malformed JSON: " + in_one_voice(str(exc.detail).removeprefix("JSON parse error - ")))
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
        response.data = errors_from(exc, context.get("request"))
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
    (MultiPartParserError, 400),  # a form body the OAuth endpoints could not read
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
