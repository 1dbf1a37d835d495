"""Rate limits of the portal's forms (django-ratelimit, on the Redis cache), and their 429 page.

    wait = limited(request, ("portal-login", "ip", auth_settings().LOGIN_RATE),
                   ("portal-login-account", account_key(identifier), portal_settings().LOGIN_ACCOUNT_RATE))
    if wait:
        return too_many(request, wait)

Every POST counts, per client address (``core.client.client_ip``) and, where a form names
an account (a username or an email address), per account too: a guesser spread over many
addresses still meets the account's limit. The page says how long to wait and sends
``Retry-After``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django_ratelimit.core import get_usage

Key = str | Callable[[str, HttpRequest], str]


def account_key(identifier: str) -> Key:
    """A limit's key for the account a form names: a username or an email, case-insensitive."""
    value = identifier.strip().lower()
    return lambda group, request: value


def limited(request: HttpRequest, *limits: tuple[str, Key, str]) -> int | None:
    """Count this POST against each ``(group, key, rate)``; seconds to wait if one is exceeded."""
    waits = []
    for group, key, rate in limits:
        usage = get_usage(request, group=group, key=key, rate=rate, method="POST", increment=True)
        if usage is not None and usage["should_limit"]:
            waits.append(max(1, int(usage["time_left"])))
    return max(waits) if waits else None


def too_many(request: HttpRequest, wait: int, **context: Any) -> HttpResponse:
    retry_at = timezone.now() + timedelta(seconds=wait)
    response = render(request, "portal/too_many.html", {"wait": wait, "retry_at": retry_at, **context}, status=429)
    response["Retry-After"] = str(wait)
    return response
