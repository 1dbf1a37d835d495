"""What the settings pages share: the person as a credential, a secret's page, a confirmation."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.views.decorators.http import require_http_methods, require_safe

from auth.credentials import Credential
from auth.oauth.scopes import DESCRIPTIONS, describe
from auth.scopes import ALL_SCOPES
from auth.sessions import session_credential


def page_view(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A settings page: signed in (else ``/login?next=``), GET and POST only.

    A form with errors is shown again with them, as a 200 (Django's own forms do the same; a
    browser reports a 4xx page as a failed load in its console).
    """
    return login_required(require_http_methods(["GET", "POST"])(view))


def read_view(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A page that only shows something: signed in, GET and HEAD only."""
    return login_required(require_safe(view))


def owner_id(request: HttpRequest) -> int:
    """The signed-in person's id (every page is behind ``login_required``)."""
    user_id = request.user.pk
    if user_id is None:
        raise PermissionDenied("not signed in")
    return int(user_id)


def person(request: HttpRequest) -> Credential:
    """The signed-in person as the services' ``creator``: every scope (the portal's own rights)."""
    return session_credential(request.user)


def secret_page(request: HttpRequest, template: str, context: dict[str, Any]) -> HttpResponse:
    """The one response that shows a new secret: never stored by any cache, the browser's included."""
    response = render(request, template, context)
    add_never_cache_headers(response)
    return response


def confirm_page(
    request: HttpRequest, *, title: str, question: str, detail: str, button: str, cancel: str, danger: bool = True
) -> HttpResponse:
    """The no-JavaScript confirmation of a destructive action: a GET shows it, its form POSTs back."""
    return render(
        request,
        "portal/confirm_action.html",
        {"title": title, "question": question, "detail": detail, "button": button, "cancel": cancel, "danger": danger},
    )


def scope_choices(checked: Iterable[str] = ()) -> list[dict[str, Any]]:
    """The scope checkboxes, a row per resource (read, and write where there is one): every
    scope a person may grant, which is all they hold."""
    ticked = set(checked)
    rows: dict[str, dict[str, Any]] = {}
    for scope in ALL_SCOPES:
        name, _, access = scope.partition(":")
        what = DESCRIPTIONS.get(name, name)
        row = rows.setdefault(name, {"label": what[:1].upper() + what[1:]})
        row[access] = {"id": "scopes-" + scope.replace(":", "-"), "value": scope, "label": describe(scope),
                       "checked": scope in ticked}  # fmt: skip
    return list(rows.values())


def curl_line(request: HttpRequest, secret: str) -> str:
    """A ready command that proves a new credential works: ``GET /api/v1/user`` with it."""
    return f'curl -H "Authorization: token {secret}" {request.build_absolute_uri(reverse("user"))}'
