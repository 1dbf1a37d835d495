"""``/login``, its second step ``/login/two-factor``, ``/login/enrol`` and ``/logout``.

Signing in: a username or an email address and the password; then, for an account with
two-factor authentication, a code from the app or a recovery code; a staff member without
it, where ``PORTAL["REQUIRE_2FA_FOR_STAFF"]`` asks for it, enrols before anything else. Only
then is the session signed in (``django.contrib.auth.login``), so no half-signed-in session
can reach a page. Between the steps the session holds who passed the first (five minutes).

The landing page is ``next`` (a path of this site) or ``/settings/``. On the way to
``/authorize`` (an OAuth application asked), the page says so, and its ``form-action`` also
names the application's registered redirect origin: signing in may end at the client at
once (``auth.oauth.views.form_action``). Every page of the sign-in keeps its opener for
Swagger UI's popup (``auth.oauth.views.KeepsOpener``).

Every POST is rate limited per address (``API_AUTH["LOGIN_RATE"]``, with the consent page's)
and per account (``PORTAL["LOGIN_ACCOUNT_RATE"]``); over either, a 429 page says when to retry.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlsplit

import django_otp
from django.contrib import messages
from django.contrib.auth import login, logout
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.http import urlencode
from django.views.decorators.cache import never_cache
from django_otp.plugins.otp_static.models import StaticDevice

from accounts.models import User
from accounts.services import audit_log_record_use
from auth.conf import auth_settings
from auth.oauth.views import form_action, registered_redirect_origin
from core.client import client_ip
from core.errors import ServiceError
from portal.conf import portal_settings
from portal.forms import CodeForm, SignInForm
from portal.limits import Key, account_key, limited, too_many
from portal.services import accounts, twofactor
from portal.sudo import safe_next, sudo_confirmed

PENDING = "portal_sign_in"  # the session's note of a first step passed: {"user", "at", "enrol"}
PENDING_SECONDS = 300
BACKEND = "django.contrib.auth.backends.ModelBackend"


def landing(request: HttpRequest) -> str:
    return safe_next(request, reverse("portal:home"))


def application_asked(target: str) -> bool:
    return urlsplit(target).path.rstrip("/") == reverse("oauth-authorize").rstrip("/")


def page(request: HttpRequest, template: str, context: dict[str, Any], status: int = 200) -> HttpResponse:
    """A sign-in page: its form may end at an OAuth client's origin (``auth.oauth.views.form_action``)."""
    target = context["next"]

    def draw(request: HttpRequest) -> HttpResponse:
        return render(request, template, {**context, "application_asked": application_asked(target)}, status=status)

    return form_action(draw, registered_redirect_origin(target))(request)


def keeps_opener(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Every answer of the sign-in, its redirects too, keeps the window's opener: Swagger UI's
    popup must still reach the docs page when the flow ends (``auth.oauth.views.KeepsOpener``)."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = view(request, *args, **kwargs)
        response["Cross-Origin-Opener-Policy"] = "unsafe-none"
        return response

    return wrapped


def sign_in_limited(request: HttpRequest, identifier: str) -> int | None:
    limits: list[tuple[str, Key, str]] = [("portal-login", "ip", auth_settings().LOGIN_RATE)]
    if identifier.strip():
        limits.append(("portal-login-account", account_key(identifier), portal_settings().LOGIN_ACCOUNT_RATE))
    return limited(request, *limits)


def sign_in_done(request: HttpRequest, user: Any, *, how: str, device: Any = None) -> HttpResponse:
    """Sign the session in (the password was right, and the code where one is needed)."""
    target = landing(request)
    request.session.pop(PENDING, None)
    login(request, user, backend=BACKEND)
    if device is not None:
        django_otp.login(request, device)
    sudo_confirmed(request)  # signing in counts as a confirmation of the password
    audit_log_record_use(user_id=user.pk, action="account:sign-in", ip=client_ip(request), details=how)
    return HttpResponseRedirect(target)


def pending_user(request: HttpRequest, *, enrol: bool) -> User | None:
    """Who passed the first step in this session within five minutes, for this second step."""
    pending = request.session.get(PENDING)
    if not isinstance(pending, dict) or pending.get("enrol") != enrol:
        return None
    if time.time() - float(pending.get("at", 0)) > PENDING_SECONDS:
        request.session.pop(PENDING, None)
        return None
    pk = pending.get("user")
    return User.objects.filter(pk=pk, is_active=True).first() if isinstance(pk, int) else None


def go_on(request: HttpRequest, name: str, user: Any, *, enrol: bool) -> HttpResponse:
    request.session[PENDING] = {"user": user.pk, "at": time.time(), "enrol": enrol}
    return HttpResponseRedirect(f"{reverse(name)}?{urlencode({'next': landing(request)})}")


@keeps_opener
@never_cache
def sign_in(request: HttpRequest) -> HttpResponse:
    context: dict[str, Any] = {"next": landing(request), "registration": portal_settings().REGISTRATION}
    form = SignInForm(request.POST or None)
    if request.method == "POST":
        wait = sign_in_limited(request, request.POST.get("username", ""))
        if wait:
            return too_many(request, wait, what="sign-in attempts")
        if form.is_valid():
            try:
                user = accounts.account_authenticate(
                    request=request, identifier=form.cleaned_data["username"], password=form.cleaned_data["password"]
                )
            except accounts.EmailNotVerified as unverified:
                context["unverified"] = accounts.verification_token(unverified.user)
            except ServiceError as refused:
                context["error"] = refused.reason
            else:
                if twofactor.two_factor_enabled(user):
                    return go_on(request, "portal:login_two_factor", user, enrol=False)
                if twofactor.staff_must_enrol(user):
                    return go_on(request, "portal:login_enrol", user, enrol=True)
                return sign_in_done(request, user, how="password")
        else:
            context["error"] = accounts.WRONG_PASSWORD
    return page(request, "portal/login.html", {**context, "form": form})


@keeps_opener
@never_cache
def two_factor(request: HttpRequest) -> HttpResponse:
    """The second step: a code from the app, or a recovery code (then used up)."""
    user = pending_user(request, enrol=False)
    if user is None:
        return restart(request)
    form = CodeForm(request.POST or None)
    context: dict[str, Any] = {"next": landing(request), "form": form}
    if request.method == "POST":
        wait = sign_in_limited(request, user.username)
        if wait:
            return too_many(request, wait, what="sign-in attempts")
        if form.is_valid():
            try:
                device = twofactor.two_factor_verify(user=user, code=form.cleaned_data["code"])
            except ServiceError as refused:
                context["error"] = refused.reason
            else:
                if device is not None:
                    recovery = isinstance(device, StaticDevice)
                    if recovery:
                        left = twofactor.recovery_codes_left(user)
                        messages.warning(request, f"You signed in with a recovery code; {left} left.")
                    return sign_in_done(
                        request,
                        user,
                        how="password and recovery code" if recovery else "password and app",
                        device=device,
                    )
                context["error"] = twofactor.WRONG_CODE
        else:
            context["error"] = "Enter the code your authenticator app shows, or a recovery code."
    return page(request, "portal/login_two_factor.html", context)


@keeps_opener
@never_cache
def enrol(request: HttpRequest) -> HttpResponse:
    """A staff member required to use two-factor authentication sets it up before signing in."""
    user = pending_user(request, enrol=True)
    if user is None:
        return restart(request)
    device = twofactor.totp_pending(user=user)
    form = CodeForm(request.POST or None)
    context: dict[str, Any] = {"next": landing(request), "form": form, "device": device}
    if request.method == "POST":
        wait = sign_in_limited(request, user.username)
        if wait:
            return too_many(request, wait, what="sign-in attempts")
        if form.is_valid():
            try:
                codes = twofactor.two_factor_enable(
                    user=user, device=device, code=form.cleaned_data["code"], ip=client_ip(request)
                )
            except ServiceError as refused:
                context["error"] = refused.reason
            else:
                target = landing(request)
                sign_in_done(request, user, how="password, then enrolled an app", device=device)
                return recovery_codes_page(request, codes, next_url=target)
        else:
            context["error"] = "Enter the code your authenticator app shows."
    context.update(qr=twofactor.totp_qr_data_uri(device), secret=twofactor.totp_secret(device))
    return page(request, "portal/login_enrol.html", context)


def recovery_codes_page(request: HttpRequest, codes: list[str], *, next_url: str) -> HttpResponse:
    """The recovery codes, this once (``no-store``)."""
    response = render(request, "portal/recovery_codes.html", {"codes": codes, "next": next_url})
    add_never_cache_headers(response)
    return response


def restart(request: HttpRequest) -> HttpResponse:
    messages.error(request, "Your sign-in took too long or was not started here: sign in again.")
    return HttpResponseRedirect(f"{reverse('login')}?{urlencode({'next': landing(request)})}")


@keeps_opener
@never_cache
def sign_out(request: HttpRequest) -> HttpResponse:
    """GET asks (a link cannot sign anyone out); POST signs out."""
    if request.method == "POST":
        logout(request)
        return render(request, "portal/logged_out.html")
    return render(request, "portal/logout.html")
