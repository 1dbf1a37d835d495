"""``/settings/profile``: the profile (the API's own validation and service), the email address
(changed only once the new one is confirmed), and deleting the account.

- Saving the profile is ``PUT /api/v1/user/profile``: ``ProfileUpdateSerializer`` then
  ``profile_update`` (its audit entry, its ``profile:update`` webhooks).
- A new address is kept pending and mailed a link (``/settings/profile/email/<uid>/<token>``);
  the old address is told. Asking needs a recent password confirmation (sudo mode).
- Deleting (sudo mode, the username typed): ``resources.services.account.user_delete``.
"""

from __future__ import annotations

from typing import Any, cast

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from accounts.models import User
from core.client import client_ip
from core.errors import ServiceError
from portal.conf import portal_settings
from portal.forms import DeleteAccountForm, EmailForm
from portal.services import accounts
from portal.services.invites import invite_allowed
from portal.sudo import sudo_required
from portal.tokens import email_tokens, user_of
from resources import selectors
from resources.models import PGPKey
from resources.serializers import ProfileUpdateSerializer
from resources.services.account import user_delete
from resources.services.profile import email_change_request, profile_update

PROFILE_FIELDS = ("url", "location", "bio", "use_pgp_key")


def profile_context(request: HttpRequest, user: Any, **extra: Any) -> dict[str, Any]:
    return {
        "profile": user,
        "pgp_keys": PGPKey.objects.filter(owner_id=user.pk).order_by("-id").values("fingerprint", "email"),
        "email_form": EmailForm(),
        "invites": portal_settings().REGISTRATION == "invite" and invite_allowed(request.user),
        **extra,
    }


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    user = selectors.user_get(user_id=cast(int, request.user.pk))
    values = {name: getattr(user, name) or "" for name in PROFILE_FIELDS}
    errors: dict[str, str] = {}
    if request.method == "POST":
        values = {name: request.POST.get(name, "") for name in PROFILE_FIELDS}
        incoming = ProfileUpdateSerializer(data=values)
        if incoming.is_valid():
            try:
                profile_update(
                    user=user,
                    changes=incoming.validated_data,
                    ip=client_ip(request),
                    base_url=request.build_absolute_uri("/"),
                )
            except ServiceError as refused:
                errors[refused.field or "url"] = refused.reason
            else:
                messages.success(request, "Your profile is saved.")
                return HttpResponseRedirect(reverse("portal:profile"))
        else:
            errors = {field: str(reasons[0]) for field, reasons in incoming.errors.items()}
    return render(request, "portal/profile.html", profile_context(request, user, values=values, errors=errors))


@login_required
@require_POST
@sudo_required
def email_change(request: HttpRequest) -> HttpResponse:
    user = selectors.user_get(user_id=cast(int, request.user.pk))
    form = EmailForm(request.POST)
    if form.is_valid():
        try:
            sent = email_change_request(
                user=user,
                email=form.cleaned_data["email"],
                base_url=request.build_absolute_uri("/"),
                ip=client_ip(request),
            )
        except ServiceError as refused:
            form.add_error("email", refused.reason)
        else:
            if sent:
                messages.success(request, f"We sent a link to {user.pending_email}: follow it to make it your address.")
            else:
                messages.error(request, "We could not send the confirmation email just now. Try again later.")
            return HttpResponseRedirect(reverse("portal:profile"))
    values = {name: getattr(user, name) or "" for name in PROFILE_FIELDS}
    context = profile_context(request, user, values=values, errors={}, email_form=form)
    return render(request, "portal/profile.html", context)


OTHER_ACCOUNT = "This link is for another account: sign out, and sign in as the account that asked for it."


@login_required
@never_cache
def email_confirm(request: HttpRequest, uidb64: str, token: str) -> HttpResponse:
    """The link mailed to a new address: signed in as the account, one button makes it the account's.

    Signing in is asked because the link proves only that the new address reads its mail,
    not who asked for the change: ``PUT /api/v1/user/profile`` takes a credential limited
    to ``profile``, whose holder must not be able to move the account's address to their
    own and take the account with a password reset."""
    user = user_of(uidb64)
    if user is not None and user.pk != request.user.pk:
        return render(request, "portal/email_confirm.html", {"valid": False, "error": OTHER_ACCOUNT})
    if request.method == "POST" and user is not None:
        try:
            accounts.email_change_confirm(user=user, token=token, ip=client_ip(request))
        except ServiceError as refused:
            return render(request, "portal/email_confirm.html", {"valid": False, "error": refused.reason})
        messages.success(request, "Your new email address is confirmed.")
        return HttpResponseRedirect(reverse("portal:profile"))
    valid = user is not None and bool(user.pending_email) and email_tokens.check_token(user, token)
    return render(request, "portal/email_confirm.html", {"valid": valid, "email": user.pending_email if valid else ""})


@login_required
@never_cache
@sudo_required
def account_delete(request: HttpRequest) -> HttpResponse:
    form = DeleteAccountForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = User.objects.get(pk=cast(int, request.user.pk))
        user_delete(user=user, ip=client_ip(request))
        logout(request)
        return render(request, "portal/account_deleted.html", {"username": user.get_username()})
    return render(request, "portal/account_delete.html", {"form": form})
