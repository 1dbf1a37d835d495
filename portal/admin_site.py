"""The admin and two-factor authentication (wired in ``config/urls.py``).

- The admin's own sign-in form refuses an account that uses two-factor authentication (or
  a staff member who must, ``PORTAL["REQUIRE_2FA_FOR_STAFF"]``) and sends them to
  ``/login?next=/admin/``, the portal's sign-in, which asks for the code; and an account whose
  address was never confirmed.
- ``has_permission``: such an account's session reaches the admin only if it was signed in
  with a code (django-otp's device noted in the session, ``django_otp.login``).
"""

from __future__ import annotations

from typing import Any

from django.contrib.admin.forms import AdminAuthenticationForm
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.models import Device

from portal.conf import portal_settings
from portal.services.twofactor import two_factor_enabled


def needs_code(user: Any) -> bool:
    return two_factor_enabled(user) or bool(user.is_staff and portal_settings().REQUIRE_2FA_FOR_STAFF)


class AdminLoginForm(AdminAuthenticationForm):
    def confirm_login_allowed(self, user: Any) -> None:
        super().confirm_login_allowed(user)
        if needs_code(user):
            raise ValidationError(
                "This account signs in with two-factor authentication: use the sign-in page, /login?next=/admin/.",
                code="two_factor",
            )
        if not user.email_verified:
            raise ValidationError("Confirm this account's email address first.", code="unverified")


def signed_in_with_code(request: HttpRequest, user: Any) -> bool:
    persistent_id = request.session.get(DEVICE_ID_SESSION_KEY)
    device = Device.from_persistent_id(persistent_id) if isinstance(persistent_id, str) else None
    return device is not None and device.user_id == user.pk and device.confirmed


def admin_has_permission(request: HttpRequest) -> bool:
    """``AdminSite.has_permission``: an active staff member, with a code if the account needs one."""
    user: Any = request.user
    if not (user.is_active and user.is_staff):
        return False
    return not needs_code(user) or signed_in_with_code(request, user)
