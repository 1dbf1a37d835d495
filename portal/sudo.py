"""Sudo mode (GitHub's): creating a secret asks for the password again when the last
confirmation is older than ``PORTAL["SUDO_SECONDS"]``.

    @sudo_required
    def api_key_create(request): ...

A view behind it, reached without a fresh confirmation, redirects to ``/settings/confirm``
with ``next`` (a GET's own URL, or for a POST the page the form was on), which asks for the
password and comes back; the confirmation's time is kept in the session.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

from portal.conf import portal_settings

SESSION_KEY = "portal_sudo_at"


def sudo_fresh(request: HttpRequest) -> bool:
    confirmed = request.session.get(SESSION_KEY)
    return isinstance(confirmed, int | float) and time.time() - confirmed < portal_settings().SUDO_SECONDS


def sudo_confirmed(request: HttpRequest) -> None:
    """The password was just entered (the confirmation page, or signing in)."""
    request.session[SESSION_KEY] = time.time()


def safe_next(request: HttpRequest, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    allowed = url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure())
    return target if target and allowed else default


def sudo_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if sudo_fresh(request):
            return view(request, *args, **kwargs)
        back = request.get_full_path() if request.method == "GET" else safe_next(request, request.path)
        return HttpResponseRedirect(f"{reverse('portal:confirm')}?{urlencode({'next': back})}")

    return wrapped
