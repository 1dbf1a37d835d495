"""``/settings/applications``: your OAuth applications. Registered (sudo mode) with a name,
redirect URIs, scopes and a client type, the client secret shown once; the secret rotated
(sudo mode, shown once); deleted, with every token and key minted through it."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from oauth2_provider.models import AbstractApplication

from auth.oauth import services
from auth.oauth.serializers import OAuthAppCreateSerializer
from core.client import client_ip
from core.errors import ServiceError
from portal.inputs import Errors, service_errors, validated
from portal.paging import page_of
from portal.sudo import sudo_required
from portal.views.common import confirm_page, owner_id, page_view, read_view, scope_choices, secret_page

CONFIDENTIAL, PUBLIC = AbstractApplication.CLIENT_CONFIDENTIAL, AbstractApplication.CLIENT_PUBLIC


@page_view
def oauth_apps(request: HttpRequest) -> HttpResponse:
    return create(request) if request.method == "POST" else listing(request)


def listing(request: HttpRequest, errors: Errors | None = None) -> HttpResponse:
    values: Any = request.POST if errors else {"client_type": CONFIDENTIAL}
    context = {
        "page": page_of(request, services.oauth_app_list(user_id=owner_id(request))),
        "errors": errors or {},
        "values": values,
        "scopes": scope_choices(values.getlist("scopes") if errors else ()),
        "oob": services.OOB_URI,
    }
    return render(request, "portal/oauth_apps.html", context)


@sudo_required
def create(request: HttpRequest) -> HttpResponse:
    form = request.POST
    incoming, errors = validated(
        OAuthAppCreateSerializer,
        {
            "name": form.get("name", ""),
            "redirect_uris": form.get("redirect_uris", ""),  # one per line: whitespace-separated
            "scopes": form.getlist("scopes"),
            "client_type": form.get("client_type", ""),
        },
    )
    if incoming is None:
        return listing(request, errors)
    try:
        issued = services.oauth_app_create(user=request.user, ip=client_ip(request), **incoming)
    except ServiceError as exc:
        return listing(request, service_errors(exc))
    return issued_page(request, issued, created=True)


def issued_page(request: HttpRequest, issued: services.IssuedApplication, *, created: bool) -> HttpResponse:
    context = {"application": issued.application, "secret": issued.client_secret, "created": created}
    return secret_page(request, "portal/oauth_app_secret.html", context)


def owned(request: HttpRequest, client_id: str) -> Any:
    return get_object_or_404(services.oauth_app_list(user_id=owner_id(request)), client_id=client_id)


@read_view
def oauth_app(request: HttpRequest, client_id: str) -> HttpResponse:
    application = owned(request, client_id)
    client = getattr(application, "api_client", None)
    context = {
        "application": application,
        "redirect_uris": application.redirect_uris.split(),
        "scopes": list(client.scopes) if client is not None else [],
        "confidential": application.client_type == CONFIDENTIAL,
    }
    return render(request, "portal/oauth_app.html", context)


@page_view
@sudo_required
def rotate_secret(request: HttpRequest, client_id: str) -> HttpResponse:
    application = owned(request, client_id)
    if request.method == "POST":
        try:
            issued = services.oauth_app_secret_rotate(application=application, ip=client_ip(request))
        except ServiceError as exc:
            messages.error(request, exc.reason)
            return redirect("portal:oauth_app", client_id=client_id)
        return issued_page(request, issued, created=False)
    return confirm_page(
        request,
        title="Rotate client secret",
        question=f"Give “{application.name}” a new client secret?",
        detail="The current secret stops working at once: the application cannot exchange codes or refresh "
        "tokens until it has the new one. Tokens already issued keep working.",
        button="Rotate secret",
        cancel="portal:oauth_apps",
        danger=False,
    )


@page_view
def delete(request: HttpRequest, client_id: str) -> HttpResponse:
    application = owned(request, client_id)
    if request.method == "POST":
        services.oauth_app_delete(application=application, ip=client_ip(request))
        messages.success(request, f"The application “{application.name}” was deleted, with every token it held.")
        return redirect("portal:oauth_apps")
    return confirm_page(
        request,
        title="Delete application",
        question=f"Delete the application “{application.name}”?",
        detail="Every access and refresh token it holds, of every user, and every API key made with them, "
        "stop working at once. This cannot be undone.",
        button="Delete application",
        cancel="portal:oauth_apps",
    )
