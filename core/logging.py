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
from collections.abc import Iterable, Mapping
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest, HttpResponse
from pythonjsonlogger.json import JsonFormatter as BaseJsonFormatter

from core.client import client_ip
from core.conf import fast_paths
from core.context import api_context

# ?apiKey=... (any case) in a logged URL or query string, and Authorization values.
# ?apiKey=, ?access_token=, refresh_token=, and the OAuth flow's code, verifier, client secret
_QUERY_SECRET = re.compile(r"(?i)((?:api_?key|token|code_verifier|client_secret|code|password)=)[^&\s\"']+")
# A line that contains none of these needs no masking (every line passes here, so this is
# one cheap test instead of three substitutions). An ASCII line, nearly every one, is
# lower-cased and searched for each word with ``in`` (~0.5 us for an access line); re's
# case-insensitive search of the alternation tries every position (~11 us). For ASCII text
# the two find the same; other text keeps the regular expression, because there re.IGNORECASE
# also matches ``ſ``, ``K`` and ``ı`` for ``s``, ``k`` and ``i``.
_MARKER_WORDS = ("key=", "token", "bearer", "apisvc_", "code=", "code_verifier=", "secret=", "password=", "eyj")
_MARKERS = re.compile("(?i)" + "|".join(map(re.escape, _MARKER_WORDS)))
_AUTH_VALUE = re.compile(r"(?i)((?:bearer|token)\s+)[A-Za-z0-9._~+/=-]{8,}")
_KEY_PREFIX = re.compile(r"\bapisvc_[A-Za-z0-9]+_[A-Za-z0-9]+")
# A JWT: three base64url parts, the header's JSON starting '{"' (base64 "eyJ"); anywhere, a path included.
_JWT = re.compile(r"eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*")
# C0 and C1 controls but tab, DEL, and the Unicode line and paragraph separators: what could
# end a log line early or drive a terminal.
_CONTROLS = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029]")
# The attributes every LogRecord has; anything else on a record came from ``extra=``.
_STANDARD_ATTRS = frozenset(vars(logging.makeLogRecord({}))) | {"message", "asctime", "request_id"}

JSON_FIRST_FIELDS = ("timestamp", "level", "logger", "message", "request_id")
ACCESS_MESSAGE = "%s %s %s %sms user=%s"
# The text layout of every line (LOG_FORMAT=text): TextFormatter writes it without logging's
# attribute dict on the fast path.
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"

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
    >>> mask_secrets("GET /api/v1/eyJhbGciOiJIUzI1NiJ9.eyJ1c2VyX2lkIjoxfQ.c2lnbmF0dXJl")
    'GET /api/v1/eyJ***'
    """
    if not _may_hold_secret(text):
        return text
    text = _QUERY_SECRET.sub(r"\1***", text)
    text = _AUTH_VALUE.sub(r"\1***", text)
    text = _JWT.sub("eyJ***", text)
    return _KEY_PREFIX.sub("apisvc_***", text)


def _escaped(match: re.Match[str]) -> str:
    char = match.group()
    return {"\n": "\\n", "\r": "\\r"}.get(char) or (
        f"\\x{ord(char):02x}" if ord(char) < 0x100 else f"\\u{ord(char):04x}"
    )


def escape_controls(text: str) -> str:
    """``text`` with control characters written as escapes, so it stays on one log line.

    >>> escape_controls("/api/v1/\n2026-12-01 INFO forged\x1b[2J")
    '/api/v1/\\n2026-12-01 INFO forged\\x1b[2J'
    """
    return _CONTROLS.sub(_escaped, text) if _CONTROLS.search(text) else text


class MaskSecretsFilter(logging.Filter):
    """Rewrites each record's message, and every string field added by ``extra=``, without credentials."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.name == ACCESS_LOGGER:  # built from masked and escaped parts (log_access)
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


class OutageResponseFilter(logging.Filter):
    """Drops Django's per-request ``Service Unavailable: /path`` line for a 503: the outage is
    logged once when it starts and once when it ends (:mod:`core.outages`)."""

    def filter(self, record: logging.LogRecord) -> bool:
        return getattr(record, "status_code", None) != 503


class RoutineTaskFilter(logging.Filter):
    """Demotes Celery's INFO lines about routine scheduled tasks to DEBUG.

    Beat's ``Sending due task``, the worker's ``received`` and ``succeeded`` lines for the
    webhook sweep every 15 seconds would otherwise bury everything else; the sweep logs
    at INFO itself when it sent something.

    ``tasks``: task names (every run is routine), or a mapping of a task name to the keyword
    arguments of its routine runs (beat's entry passes them; other runs of the task keep
    their INFO lines), ``{"webhooks.tasks.deliveries_pump_task": {"sweep": True}}``.
    """

    def __init__(self, tasks: Iterable[str] | Mapping[str, Mapping[str, Any] | None] = ()) -> None:
        super().__init__()
        marks = tasks if isinstance(tasks, Mapping) else dict.fromkeys(tasks)
        # Celery's lines carry the kwargs as their repr: compare with that of the routine ones.
        self.tasks = {name: None if kwargs is None else repr(dict(kwargs)) for name, kwargs in marks.items()}

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno != logging.INFO or not self._about_routine_task(record.args):
            return True
        record.levelno, record.levelname = logging.DEBUG, "DEBUG"
        return logging.getLogger(record.name).isEnabledFor(logging.DEBUG)

    def _about_routine_task(self, args: Any) -> bool:
        if isinstance(args, dict):  # the worker: {"name": ..., "id": ..., "kwargs": "{'sweep': True}", ...}
            name = args.get("name")
            if name not in self.tasks:
                return False
            kwargs = self.tasks[name]
            return kwargs is None or args.get("kwargs") == kwargs
        return isinstance(args, tuple) and any(arg in self.tasks for arg in args)  # beat: (entry, task)


class TextFormatter(logging.Formatter):
    """``%(asctime)s`` in UTC, ISO 8601 with milliseconds; ``request_id`` defaults to ``-``.

    One record is one line: control characters in the message (a newline in a logged path,
    an escape sequence) are written escaped (``\\n``, ``\\x1b``), so no value a client
    chose can start a second, forged line or drive a terminal. A traceback keeps its lines.

    The service's own layout (:data:`TEXT_FORMAT`) is written with one f-string on the fast
    path: logging's ``PercentStyle`` copies the record's ~30 attributes into a dict for each
    line, about a fifth of what an access line costs (``bench.profile detail
    --instructions``). Any other layout, a record with a traceback or stack, and
    ``API_FAST_PATHS=0`` go through logging's own ``Formatter.format``; a test compares the two.
    """

    converter = staticmethod(time.gmtime)  # type: ignore[assignment]
    default_time_format = "%Y-%m-%dT%H:%M:%S"
    default_msec_format = "%s.%03dZ"

    def __init__(self, fmt: str | None = None, datefmt: str | None = None, style: Any = "%", **kwargs: Any) -> None:
        super().__init__(fmt, datefmt, style, defaults={"request_id": "-"}, **kwargs)
        self._second: tuple[int, str] = (-1, "")  # one tuple: threads swap it whole
        self._own_layout = fmt == TEXT_FORMAT and datefmt is None and style == "%"
        self._settings_ready = False

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:
        """Logging's own format; the seconds are formatted once per second, not once per line."""
        if datefmt:
            return super().formatTime(record, datefmt)
        second = int(record.created)
        cached = self._second
        if cached[0] != second:
            cached = self._second = (second, time.strftime(self.default_time_format, self.converter(second)))
        return self.default_msec_format % (cached[1], record.msecs)

    def formatMessage(self, record: logging.LogRecord) -> str:
        if record.name != ACCESS_LOGGER:  # an access line is built from escaped, masked parts (log_access)
            record.message = escape_controls(record.message)
        return super().formatMessage(record)

    def format(self, record: logging.LogRecord) -> str:
        if not self._own_layout or record.exc_info or record.exc_text or record.stack_info or not self._fast():
            line = super().format(record)
        else:  # what logging writes for TEXT_FORMAT, as Formatter.format and formatMessage above would
            record.message = record.getMessage()
            if record.name != ACCESS_LOGGER:
                record.message = escape_controls(record.message)
            record.asctime = self.formatTime(record)
            request_id = record.__dict__.get("request_id", "-")
            line = f"{record.asctime} {record.levelname} {record.name} [{request_id}] {record.message}"
        return line if record.name == ACCESS_LOGGER else mask_secrets(line)

    def _fast(self) -> bool:
        """The fast paths' switch, once Django's settings are there (gunicorn's master logs before
        the application is loaded); ``settings.configured`` is asked until it is."""
        if not self._settings_ready:
            if not settings.configured:
                return False
            self._settings_ready = True
        return fast_paths()


class JsonFormatter(BaseJsonFormatter):
    """python-json-logger with the field names of the docs: timestamp, level, logger, message, request_id."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("rename_fields", {"levelname": "level", "name": "logger"})
        kwargs.setdefault("timestamp", True)
        kwargs.setdefault("defaults", {"request_id": "-"})
        super().__init__(*args, **kwargs)

    def process_log_record(self, log_data: dict[str, Any]) -> dict[str, Any]:
        """The fields every line has come first, in the order of the docs; then the line's own."""
        first = {name: log_data.pop(name) for name in JSON_FIRST_FIELDS if name in log_data}
        return {**first, **log_data}

    def format(self, record: logging.LogRecord) -> str:
        return mask_secrets(super().format(record))


def request_user_id(request: HttpRequest) -> int | None:
    """The API caller, else a browser session's user if the request already loaded it."""
    context = api_context()
    if context is not None and context.credential is not None:
        return context.credential.user_id
    user = vars(request).get("_cached_user")
    return user.pk if user is not None and user.is_authenticated else None


def log_access(request: HttpRequest, response: HttpResponse, duration_ms: float) -> None:
    """One ``apiservice.access`` line: method, path (never the query string, which may carry
    ``?apiKey=``; masked and escaped), status, time and user, with each as a field of its own."""
    if not access_logger.isEnabledFor(logging.INFO):
        return
    user_id = request_user_id(request)
    path = mask_secrets(escape_controls(request.path))
    fields = {
        "method": request.method, "path": path, "status": response.status_code,
        "duration_ms": duration_ms, "user_id": user_id, "client_ip": client_ip(request),
    }  # fmt: skip
    args = (request.method, path, response.status_code, duration_ms, "-" if user_id is None else user_id)
    # logger.info() without its stack walk (findCaller): the call site is this function
    access_logger.handle(
        access_logger.makeRecord(
            ACCESS_LOGGER, logging.INFO, __file__, _LINE, ACCESS_MESSAGE, args, None, "log_access", fields
        )
    )


_LINE = log_access.__code__.co_firstlineno


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


FORMATTERS = {
    "text": {
        "()": "core.logging.TextFormatter",
        "fmt": TEXT_FORMAT,
    },
    "json": {"()": "core.logging.JsonFormatter", "fmt": "%(levelname)s %(name)s %(message)s %(request_id)s"},
}
# Celery's lines about routine scheduled runs, which RoutineTaskFilter demotes to DEBUG
ROUTINE_TASK_LOGGERS = ("celery.beat", "celery.worker.strategy", "celery.app.trace")


def logging_config(*, level: str, format: str, routine_tasks: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """``settings.LOGGING``: every line through one console handler with the request id and
    credential masking; ``format`` is ``text`` or ``json`` (``LOG_FORMAT``); ``routine_tasks``
    names the tasks (and the kwargs of their routine runs) whose Celery lines are DEBUG."""
    if format not in FORMATTERS:
        raise ImproperlyConfigured(f"LOG_FORMAT must be text or json, got {format!r}")
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {
            "request_id": {"()": "core.requestid.RequestIdFilter"},
            "mask_secrets": {"()": "core.logging.MaskSecretsFilter"},
            "routine_tasks": {"()": "core.logging.RoutineTaskFilter", "tasks": routine_tasks},
            "outage_responses": {"()": "core.logging.OutageResponseFilter"},
        },
        "formatters": {"default": FORMATTERS[format]},
        "handlers": {
            "console": {"class": "logging.StreamHandler", "formatter": "default", "filters": ["request_id", "mask_secrets"]},
        },
        "root": {"handlers": ["console"], "level": level},
        "loggers": {
            "django.request": {
                "handlers": ["console"], "level": "ERROR", "propagate": False, "filters": ["outage_responses"],
            },
            "django.server": {"handlers": ["console"], "level": "INFO", "propagate": False},
            "pgserver": {"level": "WARNING"},
            # their DEBUG lines carry redirect URLs with authorization codes
            "oauth2_provider": {"level": "INFO"},
            "oauthlib": {"level": "INFO"},
            **{name: {"filters": ["routine_tasks"]} for name in ROUTINE_TASK_LOGGERS},
        },
    }  # fmt: skip
