"""Middleware that only pages for browsers need (the admin, the OAuth login and consent pages),
skipped for the token-authenticated API.

Sessions, CSRF, ``request.user`` from a session, messages and the admin login's
django-ratelimit cost every API request time for nothing: the API authenticates each
request by its ``Authorization`` header (CSRF cannot forge one), never sets a cookie, and
DRF sets ``request.user`` from the credential. Wrapped here, each runs for every path but
``/api/``::

    MIDDLEWARE = [..., "apiservice.browser_only.SessionMiddleware", ...]
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib.auth.middleware import AuthenticationMiddleware as DjangoAuthenticationMiddleware
from django.contrib.messages.middleware import MessageMiddleware as DjangoMessageMiddleware
from django.contrib.sessions.middleware import SessionMiddleware as DjangoSessionMiddleware
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import CsrfViewMiddleware as DjangoCsrfViewMiddleware
from django_ratelimit.middleware import RatelimitMiddleware as DjangoRatelimitMiddleware

from apiservice.api.headers import API_PREFIX

HOOKS = ("process_view", "process_exception", "process_template_response")


def browser_only(middleware: type) -> type:
    """``middleware``, run for every request except those under ``/api/``.

    A subclass, so that checks looking for the original (the admin's ``admin.E408``-``E410``)
    still find it; the original instance does the work.
    """

    def __init__(self: Any, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.inner = middleware(get_response)

    def __call__(self: Any, request: HttpRequest) -> HttpResponse:
        if request.path_info.startswith(API_PREFIX):
            return self.get_response(request)
        return self.inner(request)

    namespace: dict[str, Any] = {"__init__": __init__, "__call__": __call__, "__doc__": middleware.__doc__}
    for hook in HOOKS:
        if hasattr(middleware, hook):  # Django registers only the hooks a middleware has
            namespace[hook] = _skipping_api(hook)
    return type(middleware.__name__, (middleware,), namespace)


def _skipping_api(hook: str) -> Callable[..., Any]:
    def call(self: Any, request: HttpRequest, *args: Any) -> Any:
        if request.path_info.startswith(API_PREFIX):
            return args[-1] if hook == "process_template_response" else None  # the response, untouched
        return getattr(self.inner, hook)(request, *args)

    return call


SessionMiddleware = browser_only(DjangoSessionMiddleware)
CsrfViewMiddleware = browser_only(DjangoCsrfViewMiddleware)
AuthenticationMiddleware = browser_only(DjangoAuthenticationMiddleware)
MessageMiddleware = browser_only(DjangoMessageMiddleware)
RatelimitMiddleware = browser_only(DjangoRatelimitMiddleware)
