"""Log lines: timestamped, with the request id, as text or one JSON object per line; never a credential.

``LOG_FORMAT=text`` (the default) writes::

    2026-12-01T14:03:07.412Z INFO apiservice.access [5f0c...] GET /api/v1/keys 200 4.1ms user=7

``LOG_FORMAT=json`` writes the same as one object per line, every extra field its own key::

    {"timestamp": "2026-12-01T14:03:07.412000+00:00", "level": "INFO", "logger": "apiservice.access",
     "message": "GET /api/v1/keys 200 4.1ms user=7", "request_id": "5f0c...", "method": "GET",
     "path": "/api/v1/keys", "status": 200, "duration_ms": 4.1, "user_id": 7, "client_ip": "127.0.0.1"}

Masking happens twice: :class:`MaskSecretsFilter` rewrites a record's message and string
fields, and both formatters mask the finished line, tracebacks included.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any

from django.http import HttpRequest, HttpResponse
from pythonjsonlogger.core import RESERVED_ATTRS
from pythonjsonlogger.json import JsonFormatter as BaseJsonFormatter

from apiservice.api.client import client_ip
from apiservice.api.requestid import NO_REQUEST_ID, RequestIdFilter, current_request_id

# ?apiKey=... (any case) in a logged URL or query string, and Authorization values.
# ?apiKey=, ?access_token=, refresh_token=, and the OAuth flow's code, verifier, client secret
_QUERY_SECRET = re.compile(r"(?i)((?:api_?key|token|code_verifier|client_secret|code|password)=)[^&\s\"']+")
# A line that contains none of these needs no masking (every line passes here, so this is
# one cheap test instead of three substitutions). An ASCII line, nearly every one, is
# lower-cased and searched for each word with ``in`` (~0.5 us for an access line); re's
# case-insensitive search of the alternation tries every position (~11 us). For ASCII text
# the two find the same; other text keeps the regular expression, because there re.IGNORECASE
# also matches ``ſ``, ``K`` and ``ı`` for ``s``, ``k`` and ``i``.
_MARKER_WORDS = ("key=", "token", "bearer", "apisvc_", "code=", "code_verifier=", "secret=", "password=")
_MARKERS = re.compile("(?i)" + "|".join(map(re.escape, _MARKER_WORDS)))
_AUTH_VALUE = re.compile(r"(?i)((?:bearer|token)\s+)[A-Za-z0-9._~+/=-]{8,}")
_KEY_PREFIX = re.compile(r"\bapisvc_[A-Za-z0-9]+_[A-Za-z0-9]+")
# The attributes every LogRecord has; anything else on a record came from ``extra=``.
_STANDARD_ATTRS = frozenset(vars(logging.makeLogRecord({}))) | {"message", "asctime", "request_id"}

JSON_FIRST_FIELDS = ("timestamp", "level", "logger", "message", "request_id")
# The shipped formats (settings.LOG_FORMATTERS); a formatter configured otherwise leaves the
# access line to ``logging``.
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"
JSON_FIELDS = ["levelname", "name", "message", "request_id"]
ACCESS_MESSAGE = "%s %s %s %sms user=%s"
ACCESS_FIELDS = ("method", "path", "status", "duration_ms", "user_id", "client_ip")

ACCESS_LOGGER = "apiservice.access"
access_logger = logging.getLogger(ACCESS_LOGGER)


def _may_hold_secret(text: str) -> bool:
    if not text.isascii():
        return _MARKERS.search(text) is not None
    lowered = text.lower()
    for word in _MARKER_WORDS:  # noqa: SIM110 - any() over a generator costs twice as much here
        if word in lowered:
            return True
    return False


def mask_secrets(text: str) -> str:
    """Replace credentials in ``text`` with ``***``.

    >>> mask_secrets("POST /api/v1/authenticate?apiKey=apisvc_abc_def123456 HTTP/1.1")
    'POST /api/v1/authenticate?apiKey=*** HTTP/1.1'
    """
    if not _may_hold_secret(text):
        return text
    text = _QUERY_SECRET.sub(r"\1***", text)
    text = _AUTH_VALUE.sub(r"\1***", text)
    return _KEY_PREFIX.sub("apisvc_***", text)


class MaskSecretsFilter(logging.Filter):
    """Rewrites each record's message, and every string field added by ``extra=``, without credentials."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.name == ACCESS_LOGGER:  # built from masked parts (AccessLogMiddleware)
            return True
        message = record.getMessage()
        masked = mask_secrets(message)
        if masked != message:
            record.msg, record.args = masked, None
        fields = vars(record)
        for name in fields.keys() - _STANDARD_ATTRS:
            if isinstance(fields[name], str):
                fields[name] = mask_secrets(fields[name])
        return True


class RoutineTaskFilter(logging.Filter):
    """Demotes Celery's INFO lines about routine scheduled tasks to DEBUG.

    Beat's ``Sending due task``, the worker's ``received`` and ``succeeded`` lines for the
    webhook sweep every 15 seconds would otherwise bury everything else; the sweep logs
    at INFO itself when it sent something.
    """

    def __init__(self, tasks: Iterable[str] = ()) -> None:
        super().__init__()
        self.tasks = frozenset(tasks)

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno != logging.INFO or not self._about_routine_task(record.args):
            return True
        record.levelno, record.levelname = logging.DEBUG, "DEBUG"
        return logging.getLogger(record.name).isEnabledFor(logging.DEBUG)

    def _about_routine_task(self, args: Any) -> bool:
        if isinstance(args, dict):  # the worker: {"name": ..., "id": ...}
            return args.get("name") in self.tasks
        return isinstance(args, tuple) and any(arg in self.tasks for arg in args)  # beat: (entry, task)


class TextFormatter(logging.Formatter):
    """``%(asctime)s`` in UTC, ISO 8601 with milliseconds; ``request_id`` defaults to ``-``."""

    converter = staticmethod(time.gmtime)  # type: ignore[assignment]
    default_time_format = "%Y-%m-%dT%H:%M:%S"
    default_msec_format = "%s.%03dZ"

    def __init__(self, fmt: str | None = None, datefmt: str | None = None, style: Any = "%", **kwargs: Any) -> None:
        super().__init__(fmt, datefmt, style, defaults={"request_id": "-"}, **kwargs)
        self._second: tuple[int, str] = (-1, "")  # one tuple: threads swap it whole
        # format_access() writes what format() would for the shipped format only
        self._direct_access = (
            type(self) is TextFormatter
            and type(self._style) is logging.PercentStyle
            and self._fmt == TEXT_FORMAT
            and not self.datefmt
        )

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:
        """Logging's own format; the seconds are formatted once per second, not once per line."""
        if datefmt:
            return super().formatTime(record, datefmt)
        return self._asctime(record.created, record.msecs)

    def _asctime(self, created: float, msecs: float) -> str:
        second = int(created)
        cached = self._second
        if cached[0] != second:
            cached = self._second = (second, time.strftime(self.default_time_format, self.converter(second)))
        return self.default_msec_format % (cached[1], msecs)

    def format(self, record: logging.LogRecord) -> str:
        return mask_secrets(super().format(record))

    def format_access(self, created: float, msecs: float, request_id: str, message: str, fields: Any) -> str | None:
        """What :meth:`format` makes of an access record, without the record; None when this
        formatter is not configured as shipped (then the line goes through ``logging``)."""
        if not self._direct_access:
            return None
        return mask_secrets(f"{self._asctime(created, msecs)} INFO {ACCESS_LOGGER} [{request_id}] {message}")


class JsonFormatter(BaseJsonFormatter):
    """python-json-logger with the field names of the docs: timestamp, level, logger, message, request_id."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("rename_fields", {"levelname": "level", "name": "logger"})
        kwargs.setdefault("timestamp", True)
        kwargs.setdefault("defaults", {"request_id": "-"})
        super().__init__(*args, **kwargs)
        # format_access() builds what format() would, for this configuration only: the
        # shipped fields and names, no static fields, and no LogRecord attribute that the
        # library would add (Python 3.12's taskName is not in its reserved list).
        extra_standard = set(vars(logging.makeLogRecord({}))) - set(RESERVED_ATTRS) - set(self._required_fields)
        self._direct_access = (
            type(self) is JsonFormatter
            and self._required_fields == JSON_FIELDS
            and self.rename_fields == {"levelname": "level", "name": "logger"}
            and not self.static_fields
            and self.defaults == {"request_id": "-"}
            and self.timestamp is True
            and not self.rename_fields_keep_missing
            and not (self.reserved_attrs & set(ACCESS_FIELDS))
            and not {name for name in extra_standard if not name.startswith("_")}
        )

    def process_log_record(self, log_data: dict[str, Any]) -> dict[str, Any]:
        """The fields every line has come first, in the order of the docs; then the line's own."""
        first = {name: log_data.pop(name) for name in JSON_FIRST_FIELDS if name in log_data}
        return {**first, **log_data}

    def format(self, record: logging.LogRecord) -> str:
        return mask_secrets(super().format(record))

    def format_access(self, created: float, msecs: float, request_id: str, message: str, fields: Any) -> str | None:
        """What :meth:`format` makes of an access record, without the record; None when this
        formatter is not configured as shipped (then the line goes through ``logging``)."""
        if not self._direct_access:
            return None
        log_data = {
            "timestamp": datetime.fromtimestamp(created, tz=UTC), "level": "INFO", "logger": ACCESS_LOGGER,
            "message": message, "request_id": request_id, **fields,
        }  # fmt: skip
        return mask_secrets(self.serialize_log_record(log_data))


def request_user_id(request: HttpRequest) -> int | None:
    """The API credential's user, else an admin session's user if the request already loaded it."""
    credential = getattr(request, "api_credential", None)
    if credential is not None:
        return credential.user_id
    user = vars(request).get("_cached_user")
    return user.pk if user is not None and user.is_authenticated else None


# Filters that the access line does not need to pass: the request id is taken from the same
# context, and MaskSecretsFilter lets access records through untouched.
_ACCESS_NEUTRAL_FILTERS = (RequestIdFilter, MaskSecretsFilter)


def direct_access_handler() -> logging.StreamHandler[Any] | None:
    """The handler to write the access line to directly, when ``logging`` would hand an access
    record to that one handler and do nothing else with it: the console handler as
    ``settings.LOGGING`` makes it (a plain ``StreamHandler`` with the request-id and masking
    filters), no other handler on the way (pytest's log capture is one), the logger enabled
    and unfiltered. None otherwise, and the line goes through ``logging``."""
    if access_logger.disabled or access_logger.filters:
        return None
    found: logging.Handler | None = None
    logger: logging.Logger | None = access_logger
    while logger is not None:
        for handler in logger.handlers:
            if found is not None:
                return None
            found = handler
        if not logger.propagate:
            break
        logger = logger.parent
    if (
        type(found) is not logging.StreamHandler
        or found.level > logging.INFO
        or not all(type(each) in _ACCESS_NEUTRAL_FILTERS for each in found.filters)
    ):
        return None
    return found


class AccessLogMiddleware:
    """One ``apiservice.access`` line per request, just inside the request-id middleware.

    The path is logged without its query string, which may carry ``?apiKey=``, and masked
    here (a key pasted into a path), so :class:`MaskSecretsFilter` passes the line as it is;
    the formatter still masks the finished line.

    With logging configured as shipped, the line is formatted by the console formatter's
    ``format_access`` and written to its stream under the handler's lock: the same bytes as
    through ``logging`` (tested, text and JSON), without a ``LogRecord``, the handler chain
    and the generic formatter (62,000 fewer of a request's ~1.8 million instructions). Any
    other configuration, a second handler or a custom formatter, gets the record as before.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        response = self.get_response(request)
        if access_logger.isEnabledFor(logging.INFO):
            self.log(request, response, round((time.perf_counter() - started) * 1000, 1))
        return response

    def log(self, request: HttpRequest, response: HttpResponse, duration_ms: float) -> None:
        user_id = request_user_id(request)
        path = mask_secrets(request.path)
        args = (request.method, path, response.status_code, duration_ms, user_id if user_id is not None else "-")
        fields = {
            "method": request.method, "path": path, "status": response.status_code,
            "duration_ms": duration_ms, "user_id": user_id, "client_ip": client_ip(request),
        }  # fmt: skip
        handler = direct_access_handler()
        format_access = getattr(handler.formatter, "format_access", None) if handler is not None else None
        if handler is not None and format_access is not None:
            now = time.time_ns()
            request_id = current_request_id() or NO_REQUEST_ID
            line = format_access(
                now / 1e9, (now % 1_000_000_000) // 1_000_000, request_id, ACCESS_MESSAGE % args, fields
            )
            if line is not None:
                write_line(handler, line, lambda: self.record(args, fields))
                return
        access_logger.handle(self.record(args, fields))

    @staticmethod
    def record(args: tuple[Any, ...], fields: dict[str, Any]) -> logging.LogRecord:
        # logger.info() without its stack walk (findCaller): the call site is known (the
        # line of this class's ``log``; a frame's f_lineno is computed from the bytecode).
        return access_logger.makeRecord(
            ACCESS_LOGGER, logging.INFO, __file__, _ACCESS_LINENO, ACCESS_MESSAGE, args, None, "log", fields
        )


def write_line(handler: logging.StreamHandler[Any], line: str, record: Callable[[], logging.LogRecord]) -> None:
    """What ``StreamHandler.emit`` does with a formatted line, errors included."""
    handler.acquire()
    try:
        handler.stream.write(line + handler.terminator)
        handler.flush()
    except RecursionError:
        raise
    except Exception:
        handler.handleError(record())
    finally:
        handler.release()


_ACCESS_LINENO = AccessLogMiddleware.log.__code__.co_firstlineno


try:
    from django.views.debug import SafeExceptionReporterFilter
except ImportError:  # pragma: no cover - Django is always installed
    SafeExceptionReporterFilter = object  # type: ignore[misc,assignment]


class ExceptionReporterFilter(SafeExceptionReporterFilter):  # type: ignore[misc,valid-type]
    """Error reports (500 e-mails, debug pages) mask the query string and Authorization header."""

    def get_safe_request_meta(self, request):  # type: ignore[no-untyped-def]
        meta = super().get_safe_request_meta(request)
        for name in ("QUERY_STRING", "HTTP_AUTHORIZATION", "REQUEST_URI", "RAW_URI"):
            if name in meta:
                meta[name] = self.cleansed_substitute
        return meta
