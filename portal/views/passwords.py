"""Password reset by mail and password change: Django's own views, with this service's pages.

- ``/password/reset``: an address; if an active account with a password has it, a link is
  mailed (``PASSWORD_RESET_TIMEOUT``, three days by default). The answer is the same either
  way. Rate limited per client address and per address asked for (``PORTAL["MAIL_RATE"]``).
- ``/password/reset/<uid>/<token>``: a new password; every session of the account is signed
  out (the password is in their hash), and the address counts as confirmed (the link reached it).
- ``/settings/security/password``: the old password and a new one; the other sessions are
  signed out, this one stays.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse
from django.urls import reverse_lazy

from accounts.models import User
from accounts.services import audit_log_record
from accounts.sessions import sessions_forget_all
from core.client import client_ip
from portal.conf import portal_settings
from portal.forms import ResetForm, password_help
from portal.limits import Key, account_key, limited, too_many
from portal.services.sessions import sessions_after_password_change
from portal.sudo import sudo_confirmed


class PasswordResetView(auth_views.PasswordResetView):
    template_name = "portal/password_reset.html"
    form_class = ResetForm
    email_template_name = "portal/mail/password_reset.txt"
    subject_template_name = "portal/mail/password_reset_subject.txt"
    success_url = reverse_lazy("portal:password_reset_sent")

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        rate = portal_settings().MAIL_RATE
        limits: list[tuple[str, Key, str]] = [("portal-mail", "ip", rate)]
        if request.POST.get("email", "").strip():
            limits.append(("portal-mail-account", account_key(request.POST["email"]), rate))
        wait = limited(request, *limits)
        if wait:
            return too_many(request, wait, what="emails")
        return super().post(request, *args, **kwargs)


class PasswordResetSentView(auth_views.PasswordResetDoneView):
    template_name = "portal/password_reset_sent.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "portal/password_reset_confirm.html"
    success_url = reverse_lazy("portal:password_reset_complete")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {**super().get_context_data(**kwargs), "password_help": password_help()}

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        user: User = form.user
        if not user.email_verified:
            user.email_verified = True
            user.save(update_fields=["email_verified"])
        sessions_forget_all(user_id=user.pk)
        audit_log_record(user_id=user.pk, action="password:reset", ip=client_ip(self.request))
        return response


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "portal/password_reset_complete.html"


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "portal/password_change.html"
    success_url = reverse_lazy("portal:security")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {**super().get_context_data(**kwargs), "password_help": password_help()}

    def form_valid(self, form: Any) -> HttpResponse:
        old_key = self.request.session.session_key
        response = super().form_valid(form)  # saves it, and keeps this session signed in (a new key)
        sessions_after_password_change(request=self.request, old_key=old_key)
        sudo_confirmed(self.request)
        messages.success(self.request, "Your password is changed. Your other sessions are signed out.")
        return response
