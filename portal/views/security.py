"""``/settings/security``: the password, two-factor authentication, recovery codes and sessions.

- Enabling two-factor authentication and new recovery codes need a recent password
  confirmation (sudo mode); disabling it needs the password and a code, on the form itself.
- The recovery codes are shown once, ``Cache-Control: no-store``.
- "Sign out other sessions" ends every other browser's session at its next request.
"""

from __future__ import annotations

from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from accounts import sessions
from core.client import client_ip
from core.errors import ServiceError
from portal.forms import CodeForm, DisableTwoFactorForm
from portal.paging import page_of
from portal.services import twofactor
from portal.services.sessions import sessions_sign_out_others
from portal.sudo import sudo_confirmed, sudo_required
from portal.views.signin import recovery_codes_page


def security_context(request: HttpRequest, **extra: Any) -> dict[str, Any]:
    user = request.user
    enabled = twofactor.two_factor_enabled(user)
    current = sessions.key_hash(request.session.session_key or "")
    return {
        "two_factor": enabled,
        "codes_left": twofactor.recovery_codes_left(user) if enabled else 0,
        "disable_form": DisableTwoFactorForm(),
        "page": page_of(request, sessions.sessions_active(user_id=cast(int, user.pk))),
        "current": current,
        **extra,
    }


@login_required
def security(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/security.html", security_context(request))


@login_required
@never_cache
@sudo_required
def two_factor_enable(request: HttpRequest) -> HttpResponse:
    """Scan the QR code (or type the secret), then prove it with a code: the device is on."""
    if twofactor.two_factor_enabled(request.user):
        return HttpResponseRedirect(reverse("portal:security"))
    device = twofactor.totp_pending(user=request.user)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            codes = twofactor.two_factor_enable(
                user=request.user, device=device, code=form.cleaned_data["code"], ip=client_ip(request)
            )
        except ServiceError as refused:
            form.add_error("code", refused.reason)
        else:
            sudo_confirmed(request)
            return recovery_codes_page(request, codes, next_url=reverse("portal:security"))
    context = {
        "form": form,
        "qr": twofactor.totp_qr_data_uri(device),
        "secret": twofactor.totp_secret(device),
        "next": reverse("portal:security"),
    }
    return render(request, "portal/two_factor_enable.html", context)


@login_required
@require_POST
@never_cache
@sudo_required
def recovery_codes(request: HttpRequest) -> HttpResponse:
    try:
        codes = twofactor.recovery_codes_renew(user=request.user, ip=client_ip(request))
    except ServiceError as refused:
        messages.error(request, refused.reason)
        return HttpResponseRedirect(reverse("portal:security"))
    return recovery_codes_page(request, codes, next_url=reverse("portal:security"))


@login_required
@require_POST
def two_factor_disable(request: HttpRequest) -> HttpResponse:
    form = DisableTwoFactorForm(request.POST)
    if form.is_valid():
        try:
            twofactor.two_factor_disable(
                user=request.user,
                password=form.cleaned_data["password"],
                code=form.cleaned_data["code"],
                ip=client_ip(request),
            )
        except ServiceError as refused:
            form.add_error(refused.field if refused.field in form.fields else None, refused.reason)
        else:
            sudo_confirmed(request)
            messages.success(request, "Two-factor authentication is off. Your recovery codes no longer work.")
            return HttpResponseRedirect(reverse("portal:security"))
    context = security_context(request, disable_form=form)
    return render(request, "portal/security.html", context)


@login_required
@require_POST
def sign_out_others(request: HttpRequest) -> HttpResponse:
    ended = sessions_sign_out_others(request=request)
    messages.success(request, f"Every other session is signed out ({ended} listed).")
    return HttpResponseRedirect(reverse("portal:security"))
