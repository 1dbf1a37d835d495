"""Error tracking: sentry-sdk with its Django and Celery integrations, when ``SENTRY_DSN`` is set.

Nothing that identifies a caller or could be replayed leaves the service: no default PII
(no user, no client address, no cookies), no local variables of stack frames (a key's
text, a password, a request), and :func:`scrub_event` removes request bodies and cookies,
filters the ``Authorization``/``Cookie`` headers and masks any ``apiKey``/``token``/API
key in every string left (URL, query string, message, exception text, breadcrumbs)::

    {"request": {"url": "https://api.example.org/api/v1/authenticate?apiKey=apisvc_abc_def",
                 "headers": {"Authorization": "Bearer eyJ..."}, "data": "{\\"apiKey\\": ...}"}}
    ->
    {"request": {"url": "https://api.example.org/api/v1/authenticate?apiKey=***",
                 "headers": {"Authorization": "[Filtered]"}}}
"""

from __future__ import annotations

from typing import Any

from core.logging import mask_secrets
from core.requestid import current_request_id

FILTERED = "[Filtered]"
SECRET_HEADERS = frozenset({"authorization", "cookie", "set-cookie", "proxy-authorization", "x-api-key"})


def _masked(value: Any) -> Any:
    return mask_secrets(value) if isinstance(value, str) else value


def _scrub_request(request: dict[str, Any]) -> None:
    request.pop("data", None)  # the body: an apiKey, a PGP key, a webhook secret
    request.pop("cookies", None)
    headers = request.get("headers")
    if isinstance(headers, dict):
        for name in headers:
            headers[name] = FILTERED if name.lower() in SECRET_HEADERS else _masked(headers[name])
    for field in ("url", "query_string"):
        if field in request:
            request[field] = _masked(request[field])
    env = request.get("env")
    if isinstance(env, dict):
        env.pop("REMOTE_ADDR", None)


def _mask_all(value: Any) -> Any:
    """Every string anywhere in ``value`` (dicts, lists) with its credentials masked."""
    if isinstance(value, str):
        return mask_secrets(value)
    if isinstance(value, dict):
        return {key: _mask_all(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_mask_all(item) for item in value]
    return value


def scrub_event(event: dict[str, Any], hint: dict[str, Any] | None = None) -> dict[str, Any]:
    """sentry-sdk's ``before_send``: the event without bodies, cookies or credentials.

    The event is tagged with the request id (or task's), which finds its log lines.
    """
    request = event.get("request")
    if isinstance(request, dict):
        _scrub_request(request)
    request_id = current_request_id()
    if request_id is not None:
        event.setdefault("tags", {})["request_id"] = request_id
    return _mask_all(event)


def init_sentry(*, dsn: str, environment: str, release: str, traces_sample_rate: float) -> None:
    """Called by the settings when ``SENTRY_DSN`` is set (web, worker and beat all load them)."""
    import sentry_sdk
    from sentry_sdk.integrations.celery import CeleryIntegration
    from sentry_sdk.integrations.django import DjangoIntegration

    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        release=release,
        send_default_pii=False,
        include_local_variables=False,
        max_request_body_size="never",
        traces_sample_rate=traces_sample_rate,
        before_send=scrub_event,  # type: ignore[arg-type]
        before_send_transaction=scrub_event,  # type: ignore[arg-type]
        integrations=[DjangoIntegration(), CeleryIntegration()],
    )


def init_from_env(*, dsn: str, release: str) -> None:
    """:func:`init_sentry` with ``SENTRY_ENVIRONMENT`` and ``SENTRY_TRACES_SAMPLE_RATE``."""
    from core.env import env_float, env_str

    init_sentry(
        dsn=dsn,
        environment=env_str("SENTRY_ENVIRONMENT", default="production"),
        release=release,
        traces_sample_rate=env_float("SENTRY_TRACES_SAMPLE_RATE", default=0.0),
    )
