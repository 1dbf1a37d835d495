"""Logging filters: API keys and tokens never reach a log line."""

from __future__ import annotations

import logging
import re

# ?apiKey=... (any case) in a logged URL or query string, and Authorization values.
_QUERY_SECRET = re.compile(r"(?i)((?:api_?key|token|access_token)=)[^&\s\"']+")
_AUTH_VALUE = re.compile(r"(?i)((?:bearer|token)\s+)[A-Za-z0-9._~+/=-]{8,}")
_KEY_PREFIX = re.compile(r"\bapisvc_[A-Za-z0-9]+_[A-Za-z0-9]+")


def mask_secrets(text: str) -> str:
    """Replace credentials in ``text`` with ``***``.

    >>> mask_secrets("POST /api/v1/authenticate?apiKey=apisvc_abc_def123456 HTTP/1.1")
    'POST /api/v1/authenticate?apiKey=*** HTTP/1.1'
    """
    text = _QUERY_SECRET.sub(r"\1***", text)
    text = _AUTH_VALUE.sub(r"\1***", text)
    return _KEY_PREFIX.sub("apisvc_***", text)


class MaskSecretsFilter(logging.Filter):
    """Rewrites each record's message so that no credential is written out."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = mask_secrets(message)
        if masked != message:
            record.msg, record.args = masked, None
        return True


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
