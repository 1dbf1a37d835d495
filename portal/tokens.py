"""The links mailed to confirm an email address: Django's password-reset tokens, for addresses.

A token names the user and what it confirms (the address, or the pending new one) and dies
once that is done (the hash covers ``email_verified`` and ``pending_email``) or after
``PASSWORD_RESET_TIMEOUT`` (three days by default).
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.utils.http import urlsafe_base64_decode

from accounts.models import User


class EmailTokenGenerator(PasswordResetTokenGenerator):
    key_salt = "portal.tokens.EmailTokenGenerator"

    def _make_hash_value(self, user: Any, timestamp: int) -> str:
        return f"{user.pk}:{user.email}:{user.email_verified}:{user.pending_email}:{timestamp}"


email_tokens = EmailTokenGenerator()


def user_of(uidb64: str) -> Any:
    """The user a link's ``uidb64`` names, or None (as Django's password-reset view decodes it)."""
    try:
        pk = int(urlsafe_base64_decode(uidb64).decode())
    except (TypeError, ValueError, OverflowError, UnicodeDecodeError):
        return None
    return User.objects.filter(pk=pk).first() if 0 < pk < 2**63 else None
