"""``/signup`` (``ACCOUNT_REGISTRATION``: closed, open or invite), the address's confirmation
link ``/signup/verify/<uid>/<token>``, and ``/signup/resend`` (the sign-in page's button).

The link's page asks before it confirms (a GET changes nothing: mail scanners fetch links).
Sign-ups and resent mails are rate limited per address (``PORTAL["MAIL_RATE"]``).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.cache import never_cache

from core.client import client_ip
from core.errors import ServiceError
from portal.conf import portal_settings
from portal.forms import SignUpForm, password_help
from portal.limits import Key, account_key, limited, too_many
from portal.services import accounts
from portal.services.invites import INVALID, invite_valid
from portal.tokens import email_tokens, user_of


def base_url(request: HttpRequest) -> str:
    return request.build_absolute_uri("/")


@never_cache
def sign_up(request: HttpRequest) -> HttpResponse:
    mode = portal_settings().REGISTRATION
    invite = request.POST.get("invite") or request.GET.get("invite") or ""
    context: dict[str, Any] = {"mode": mode, "invite": invite, "password_help": password_help()}
    if mode == "closed":
        return render(request, "portal/signup_closed.html", context)
    if mode == "invite" and invite_valid(token=invite) is None:
        return render(request, "portal/signup_closed.html", {**context, "invite_error": INVALID if invite else ""})
    form = SignUpForm(request.POST or None)
    if request.method == "POST":
        wait = limited(request, ("portal-signup", "ip", portal_settings().MAIL_RATE))
        if wait:
            return too_many(request, wait, what="sign-ups")
        if form.is_valid():
            try:
                user = accounts.account_signup(
                    username=form.cleaned_data["username"],
                    email=form.cleaned_data["email"],
                    password=form.cleaned_data["password1"],
                    invite=invite,
                    ip=client_ip(request),
                )
            except ServiceError as refused:
                form.add_error(refused.field if refused.field in form.fields else None, refused.reason)
            else:
                sent = accounts.verification_send(user=user, base_url=base_url(request))
                return render(request, "portal/signup_sent.html", {"email": user.email, "sent": sent})
    return render(request, "portal/signup.html", {**context, "form": form})


@never_cache
def verify_email(request: HttpRequest, uidb64: str, token: str) -> HttpResponse:
    """The link mailed at sign-up: a page with one button, which confirms the address."""
    user = user_of(uidb64)
    if request.method == "POST" and user is not None:
        try:
            accounts.email_verify(user=user, token=token, ip=client_ip(request))
        except ServiceError:
            pass
        else:
            messages.success(request, "Your email address is confirmed. Sign in to go on.")
            return HttpResponseRedirect(reverse("login"))
    valid = user is not None and not user.email_verified and email_tokens.check_token(user, token)
    return render(request, "portal/verify_email.html", {"valid": valid, "email": user.email if valid else ""})


@never_cache
def resend(request: HttpRequest) -> HttpResponse:
    """POST only: the sign-in page's "send the email again" (its token is an hour long)."""
    if request.method != "POST":
        return HttpResponseRedirect(reverse("login"))
    user = accounts.verification_user(request.POST.get("token", ""))
    limits: list[tuple[str, Key, str]] = [("portal-mail", "ip", portal_settings().MAIL_RATE)]
    if user is not None:
        limits.append(("portal-mail-account", account_key(user.email), portal_settings().MAIL_RATE))
    wait = limited(request, *limits)
    if wait:
        return too_many(request, wait, what="emails")
    sent = accounts.verification_send(user=user, base_url=base_url(request)) if user is not None else False
    return render(
        request, "portal/signup_sent.html", {"email": user.email if user else "", "sent": sent, "again": True}
    )
