"""``/settings/keys``: API keys (§2.2). Listed without secrets; created (sudo mode, the API's
rate limit) with a name, scopes and an optional expiry, the secret shown once; revoked."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from auth import services
from auth.selectors import api_key_list
from auth.serializers import ApiKeyCreateSerializer
from core.client import client_ip
from core.errors import ServiceError
from portal.api_limits import rate_limited
from portal.inputs import Errors, service_errors, validated
from portal.paging import page_of
from portal.sudo import sudo_required
from portal.views.common import confirm_page, curl_line, owner_id, page_view, person, scope_choices, secret_page


@page_view
def api_keys(request: HttpRequest) -> HttpResponse:
    return create(request) if request.method == "POST" else listing(request)


def listing(request: HttpRequest, errors: Errors | None = None) -> HttpResponse:
    values: Any = request.POST if errors else {}
    context = {
        "page": page_of(request, api_key_list(user_id=owner_id(request))),
        "errors": errors or {},
        "values": values,
        "scopes": scope_choices(values.getlist("scopes") if errors else ()),
    }
    return render(request, "portal/api_keys.html", context)


@sudo_required
@rate_limited("apikey-create")
def create(request: HttpRequest) -> HttpResponse:
    form = request.POST
    incoming, errors = validated(
        ApiKeyCreateSerializer,
        {"name": form.get("name", ""), "scopes": form.getlist("scopes"), "expires": form.get("expires") or None},
    )
    if incoming is None:
        return listing(request, errors)
    try:
        issued = services.api_key_create(user=request.user, ip=client_ip(request), creator=person(request), **incoming)
    except ServiceError as exc:
        return listing(request, service_errors(exc))
    return secret_page(
        request,
        "portal/api_key_created.html",
        {"api_key": issued.api_key, "secret": issued.secret, "curl": curl_line(request, issued.secret)},
    )


@page_view
def revoke(request: HttpRequest, pk: int) -> HttpResponse:
    api_key = get_object_or_404(api_key_list(user_id=owner_id(request)), pk=pk)
    if request.method == "POST":
        services.api_key_delete(api_key=api_key, ip=client_ip(request))
        messages.success(request, f"The API key “{api_key.name}” was revoked: it no longer works.")
        return redirect("portal:api_keys")
    return confirm_page(
        request,
        title="Revoke API key",
        question=f"Revoke the API key “{api_key.name}”?",
        detail="Programs using it, and every token made from it, are refused from now on. This cannot be undone.",
        button="Revoke key",
        cancel="portal:api_keys",
    )
