"""``/settings/authorized``: the applications you authorized, each with the scopes its tokens
hold and since when; revoking one ends every token of yours it holds and every key it made
with them, at once (as ``DELETE /api/v1/oauth/authorizations/:client_id``)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from auth.oauth import services
from core.client import client_ip
from portal.paging import page_of
from portal.views.common import confirm_page, owner_id, page_view, read_view


@read_view
def authorized_apps(request: HttpRequest) -> HttpResponse:
    user_id = owner_id(request)
    page = page_of(request, services.oauth_authorizations(user_id=user_id))
    details = services.oauth_grant_details(user_id=user_id, application_ids=[row.pk for row in page.rows])
    grants: list[dict[str, Any]] = [{"application": row, "details": details.get(row.pk)} for row in page.rows]
    return render(request, "portal/authorized_apps.html", {"page": page, "grants": grants})


@page_view
def revoke(request: HttpRequest, client_id: str) -> HttpResponse:
    user_id = owner_id(request)
    application = get_object_or_404(services.oauth_authorizations(user_id=user_id), client_id=client_id)
    if request.method == "POST":
        services.oauth_grant_revoke(user_id=user_id, application=application, ip=client_ip(request))
        messages.success(request, f"“{application.name}” no longer has access to your account.")
        return redirect("portal:authorized_apps")
    return confirm_page(
        request,
        title="Revoke access",
        question=f"Revoke the access of “{application.name}”?",
        detail="Its tokens for your account, and every API key or app token made with them, stop working at "
        "once. It can ask you again later.",
        button="Revoke access",
        cancel="portal:authorized_apps",
    )
