"""Reading accounts: the queries views use, in one place."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from accounts.models import AuditLogEntry
from core.fast import read_rows

AUDIT_COLUMNS = ("id", "ip", "action", "details", "created")


def audit_log_list(*, user_id: int) -> QuerySet[AuditLogEntry, dict[str, Any]]:
    """A user's audit log as ``.values()`` rows (newest first once paginated)."""
    return read_rows(AuditLogEntry.objects.filter(user_id=user_id), *AUDIT_COLUMNS)
