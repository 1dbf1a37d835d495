"""Two-factor authentication: TOTP (RFC 6238) with django-otp, and ten single-use recovery codes.

    device = totp_pending(user=alice)                 # a new secret for the QR code, not in use yet
    codes = two_factor_enable(user=alice, device=device, code="123456", ip=ip)   # shown once
    device = two_factor_verify(user=alice, code="123456")    # signing in: the device that accepted it
    two_factor_disable(user=alice, password="...", code="123456", ip=ip)

The authenticator app's codes are checked by django-otp's ``TOTPDevice`` (a step of 30 s, one
step of tolerance either way, a code never accepted twice); recovery codes are its
``StaticDevice`` tokens, each deleted as it is used. Both devices back off after a wrong
code (1, 2, 4, ... seconds), on top of the sign-in page's rate limits.

A recovery code is a secret, so it is not stored: its ``StaticToken`` holds an HMAC of it
under ``SECRET_KEY`` (``recovery_code_digest``), and a code typed at sign-in is turned into
its HMAC (under ``SECRET_KEY`` or one of ``SECRET_KEY_FALLBACKS``) before django-otp looks
for it. A copy of the database does not give anyone the codes.
"""

from __future__ import annotations

import base64
from typing import Any

import segno
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django_otp import verify_token
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.services import audit_log_record
from core.errors import ServiceError
from portal.conf import portal_settings

RECOVERY_CODES = 10
TOTP_NAME = "Authenticator app"
RECOVERY_NAME = "Recovery codes"
RECOVERY_SALT = "portal.recovery-code"
WRONG_CODE = "That code is not right (or was used already). Try the next one your app shows."


def two_factor_enabled(user: Any) -> bool:
    return bool(user.pk) and TOTPDevice.objects.filter(user_id=user.pk, confirmed=True).exists()


def staff_must_enrol(user: Any) -> bool:
    """Staff without two-factor authentication, where the operator requires it."""
    return bool(user.is_staff and portal_settings().REQUIRE_2FA_FOR_STAFF and not two_factor_enabled(user))


def totp_pending(*, user: Any) -> TOTPDevice:
    """The device being enrolled: its secret is in the QR code until a code from it confirms it."""
    device = TOTPDevice.objects.filter(user_id=user.pk, confirmed=False).order_by("-id").first()
    return device or TOTPDevice.objects.create(user=user, name=TOTP_NAME, confirmed=False)


def totp_secret(device: TOTPDevice) -> str:
    """The secret as authenticator apps take it typed in: base32, in groups of four."""
    text = base64.b32encode(device.bin_key).decode()
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))


def totp_qr_data_uri(device: TOTPDevice) -> str:
    """The ``otpauth://`` URI as a QR code, an SVG ``data:`` URI drawn here (no outside service)."""
    return str(segno.make(device.config_url, error="m").svg_data_uri(scale=5, border=4))


def normalized(code: str) -> str:
    return "".join(code.split()).replace("-", "").lower()


def two_factor_enable(*, user: Any, device: TOTPDevice, code: str, ip: str | None) -> list[str]:
    """Confirm the pending device with a code from it; the new recovery codes (shown once)."""
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().get(pk=device.pk, user_id=user.pk, confirmed=False)
        if not device.verify_token(normalized(code)):
            raise ServiceError("code", WRONG_CODE)
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        TOTPDevice.objects.filter(user_id=user.pk).exclude(pk=device.pk).delete()
        codes = _recovery_codes_new(user)
        audit_log_record(user_id=user.pk, action="two-factor:enable", ip=ip, details=TOTP_NAME)
    return codes


def recovery_codes_renew(*, user: Any, ip: str | None) -> list[str]:
    """Ten new recovery codes; the old ones stop working."""
    if not two_factor_enabled(user):
        raise ServiceError(None, "Two-factor authentication is not enabled.")
    with transaction.atomic():
        codes = _recovery_codes_new(user)
        audit_log_record(user_id=user.pk, action="two-factor:recovery-codes", ip=ip, details=f"{len(codes)} new codes")
    return codes


def recovery_codes_left(user: Any) -> int:
    return StaticToken.objects.filter(device__user_id=user.pk, device__confirmed=True).count()


def _recovery_codes_new(user: Any) -> list[str]:
    device, _ = StaticDevice.objects.get_or_create(user=user, defaults={"name": RECOVERY_NAME, "confirmed": True})
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=recovery_code_digest(code)) for code in codes])
    return codes


def recovery_code_digest(code: str, secret: str | bytes | None = None) -> str:
    """What a recovery code's ``StaticToken`` holds: an HMAC-SHA256 of the code under
    ``secret`` (``SECRET_KEY`` by default), its first 64 bits in hex (django-otp's column holds
    16 characters; the codes themselves carry 40 bits)."""
    return salted_hmac(RECOVERY_SALT, code, secret=secret, algorithm="sha256").hexdigest()[:16]


def recovery_code_token(device: StaticDevice, code: str) -> str:
    """The token to hand django-otp for a typed recovery code: its HMAC under the key that
    made the stored one (``SECRET_KEY`` or a fallback), else under ``SECRET_KEY``."""
    digests = [recovery_code_digest(code, secret) for secret in (settings.SECRET_KEY, *settings.SECRET_KEY_FALLBACKS)]
    stored: str | None = device.token_set.filter(token__in=digests).values_list("token", flat=True).first()
    return stored or digests[0]


def two_factor_verify(*, user: Any, code: str) -> Device | None:
    """The device that accepts ``code``: the app's (six digits) or a recovery code (used up)."""
    code = normalized(code)
    model = TOTPDevice if code.isdigit() else StaticDevice
    device = model.objects.filter(user_id=user.pk, confirmed=True).first()
    if device is None:
        return None
    allowed, why = device.verify_is_allowed()
    if not allowed:
        wait = max(1, int(((why or {}).get("locked_until") or timezone.now()).timestamp() - timezone.now().timestamp()))
        raise ServiceError("code", f"Too many wrong codes: wait {wait} seconds, then try again.")
    token = recovery_code_token(device, code) if isinstance(device, StaticDevice) else code
    verified: Device | None = verify_token(user, device.persistent_id, token)
    return verified


def two_factor_disable(*, user: Any, password: str, code: str, ip: str | None) -> None:
    """Turn it off: the password and a code (from the app or a recovery code) are both needed."""
    if user.is_staff and portal_settings().REQUIRE_2FA_FOR_STAFF:
        raise ServiceError(None, "Staff members must keep two-factor authentication: this service requires it.")
    if not user.check_password(password):
        raise ServiceError("password", "That is not your password.")
    if two_factor_verify(user=user, code=code) is None:
        raise ServiceError("code", WRONG_CODE)
    with transaction.atomic():
        TOTPDevice.objects.filter(user_id=user.pk).delete()
        StaticDevice.objects.filter(user_id=user.pk).delete()
        audit_log_record(user_id=user.pk, action="two-factor:disable", ip=ip)
