"""Reading accounts: the queries views use, in one place."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from accounts.models import AuditLogEntry, User
from core.fast import read_rows

AUDIT_COLUMNS = ("id", "ip", "action", "details", "created")


def audit_log_list(*, user_id: int) -> QuerySet[AuditLogEntry, dict[str, Any]]:
    """A user's audit log as ``.values()`` rows (newest first once paginated)."""
    return read_rows(AuditLogEntry.objects.filter(user_id=user_id), *AUDIT_COLUMNS)


def email_in_use(email: str, *, besides: int | None = None) -> bool:
    """Whether an account (other than ``besides``) has ``email``, in any case."""
    users = User.objects.filter(email__iexact=email)
    return (users.exclude(pk=besides) if besides is not None else users).exists()
