"""``/settings/tokens``: Quay's app tokens (``/api/v1/user/apptoken``). An app token is an API
key named by a UUID that acts with all your rights; created (sudo mode, the API's rate limit)
with a title, the token shown once; revoked."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from auth import services
from auth.apptokens import AppTokenCreateSerializer
from auth.selectors import api_key_list
from core.client import client_ip
from core.errors import ServiceError
from portal.api_limits import rate_limited
from portal.inputs import Errors, service_errors, validated
from portal.paging import page_of
from portal.sudo import sudo_required
from portal.views.common import confirm_page, curl_line, owner_id, page_view, person, secret_page


@page_view
def app_tokens(request: HttpRequest) -> HttpResponse:
    return create(request) if request.method == "POST" else listing(request)


def listing(request: HttpRequest, errors: Errors | None = None) -> HttpResponse:
    context = {
        "page": page_of(request, api_key_list(user_id=owner_id(request))),
        "errors": errors or {},
        "values": request.POST if errors else {},
    }
    return render(request, "portal/app_tokens.html", context)


@sudo_required
@rate_limited("apikey-create")
def create(request: HttpRequest) -> HttpResponse:
    incoming, errors = validated(AppTokenCreateSerializer, {"title": request.POST.get("title", "")})
    if incoming is None:
        return listing(request, errors)
    try:
        issued = services.app_token_create(
            user=request.user, title=incoming["title"], ip=client_ip(request), creator=person(request)
        )
    except ServiceError as exc:
        return listing(request, service_errors(exc))
    return secret_page(
        request,
        "portal/app_token_created.html",
        {"token": issued.api_key, "secret": issued.secret, "curl": curl_line(request, issued.secret)},
    )


@page_view
def revoke(request: HttpRequest, uuid: str) -> HttpResponse:
    token = get_object_or_404(api_key_list(user_id=owner_id(request)), uuid=uuid)
    if request.method == "POST":
        services.api_key_delete(api_key=token, ip=client_ip(request))
        messages.success(request, f"The app token “{token.name}” was revoked: it no longer works.")
        return redirect("portal:app_tokens")
    return confirm_page(
        request,
        title="Revoke app token",
        question=f"Revoke the app token “{token.name}”?",
        detail="Clients using it are refused from now on. This cannot be undone.",
        button="Revoke token",
        cancel="portal:app_tokens",
    )
