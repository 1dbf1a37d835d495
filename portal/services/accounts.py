"""Accounts in the portal: signing up, confirming an address, signing in, changing the address.

    user = account_signup(username="alice", email="alice@example.org", password="...", invite="", ip=ip)
    verification_send(user=user, base_url="https://api.example.org")     # the link to /signup/verify/...
    email_verify(user=user, token=token, ip=ip)                          # the link was followed
    user = account_authenticate(request=request, identifier="Alice@Example.org", password="...")

Each change writes its row and its audit entry in one transaction; mail goes out after it.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import authenticate
from django.core import signing
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from accounts.models import User
from accounts.selectors import email_in_use
from accounts.services import audit_log_record
from core.errors import ServiceError
from portal.conf import portal_settings
from portal.mail import mail_send
from portal.services.invites import invite_claim
from portal.tokens import email_tokens
from resources.services.profile import EMAIL_TAKEN, profile_email_confirm

RESEND_SALT = "portal.resend-verification"
RESEND_SECONDS = 3600
WRONG_PASSWORD = "Your username or email and password did not match. Please try again."
AMBIGUOUS_EMAIL = "More than one account uses this email address: sign in with your username instead."


class EmailNotVerified(ServiceError):
    """The password was right, but the account's address was never confirmed."""

    def __init__(self, user: User) -> None:
        super().__init__(None, "Confirm your email address first: follow the link we mailed you.")
        self.user = user


def account_signup(*, username: str, email: str, password: str, invite: str, ip: str | None) -> User:
    """A new account, unconfirmed until its address is (``ACCOUNT_REGISTRATION`` open, or invite
    with an unused, unexpired invite, which this uses up)."""
    mode = portal_settings().REGISTRATION
    if mode == "closed":
        raise ServiceError(None, "Sign-up is closed: ask an operator of this service for an account.")
    try:
        with transaction.atomic():
            claimed = invite_claim(token=invite) if mode == "invite" else None
            if email_in_use(email):
                raise ServiceError("email", EMAIL_TAKEN)
            user = User.objects.create_user(username=username, email=email, password=password, email_verified=False)
            if claimed is not None:
                claimed.used_by = user
                claimed.save(update_fields=["used_by"])
            details = f"invite {claimed.pk}" if claimed is not None else "open registration"
            audit_log_record(user_id=user.pk, action="account:signup", ip=ip, details=details)
    except IntegrityError as exc:  # the same name, signed up a moment ago
        raise ServiceError("username", "A user with that username already exists.") from exc
    return user


def link(base_url: str, name: str, user: User) -> str:
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    return base_url.rstrip("/") + reverse(name, kwargs={"uidb64": uid, "token": email_tokens.make_token(user)})


def verification_send(*, user: User, base_url: str) -> bool:
    """Mail the link that confirms a new account's address; False if the mail server refused it."""
    context = {"user": user, "link": link(base_url, "portal:verify_email", user)}
    return mail_send(to=user.email, template="verify", context=context)


def verification_token(user: User) -> str:
    """What the sign-in page's "send the email again" button posts (an hour long)."""
    return signing.dumps(user.pk, salt=RESEND_SALT)


def verification_user(token: str) -> User | None:
    try:
        pk = signing.loads(token, salt=RESEND_SALT, max_age=RESEND_SECONDS)
    except signing.BadSignature:
        return None
    return User.objects.filter(pk=pk, is_active=True, email_verified=False).first()


def email_verify(*, user: User, token: str, ip: str | None) -> None:
    """The link mailed at sign-up was followed: the account may sign in."""
    if user.email_verified or not email_tokens.check_token(user, token):
        raise ServiceError(None, "This link is not valid: it was used already, or it expired.")
    with transaction.atomic():
        user.email_verified = True
        user.save(update_fields=["email_verified"])
        audit_log_record(user_id=user.pk, action="email:verify", ip=ip, details=user.email)


def account_authenticate(*, request: HttpRequest, identifier: str, password: str) -> User:
    """The account that ``identifier`` (a username, or an email address in any case) and
    ``password`` name; :class:`EmailNotVerified` if its address was never confirmed."""
    username = identifier
    if "@" in identifier and not User.objects.filter(username=identifier).exists():
        named = User.objects.filter(email__iexact=identifier, is_active=True).values_list("username", flat=True)
        found = list(named[:2])
        if len(found) > 1:
            raise ServiceError("username", AMBIGUOUS_EMAIL)
        username = found[0] if found else identifier
    user: Any = authenticate(request, username=username, password=password)
    if user is None:
        raise ServiceError(None, WRONG_PASSWORD)
    if not user.email_verified:
        raise EmailNotVerified(user)
    return user


def email_change_mail(*, user: User, base_url: str) -> bool:
    """Mail the pending address the link that makes it the account's, and tell the current
    address; False if the mail server refused the link's mail. Connected to
    ``resources.signals.email_change_requested`` (the API's profile and this portal's both
    request the change through ``resources.services.profile``)."""
    email = user.pending_email
    sent = mail_send(
        to=email, template="email_change", context={"user": user, "link": link(base_url, "portal:email_confirm", user)}
    )
    if user.email:
        mail_send(to=user.email, template="email_change_notice", context={"user": user, "new": email})
    return sent


def email_change_confirm(*, user: User, token: str, ip: str | None) -> User:
    """The link mailed to the new address was followed: it becomes the account's."""
    if not user.pending_email or not email_tokens.check_token(user, token):
        raise ServiceError(
            None, "This link is not valid: it was used already, or it expired, or another change replaced it."
        )
    return profile_email_confirm(user=user, ip=ip)
