"""Reading accounts: the queries views use, in one place."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from accounts.models import AuditLogEntry

AUDIT_COLUMNS = ("id", "ip", "action", "details", "created")


def audit_log_list(*, user_id: int) -> QuerySet[AuditLogEntry, dict[str, Any]]:
    """A user's audit log as ``.values()`` rows (newest first once paginated)."""
    return AuditLogEntry.objects.filter(user_id=user_id).values(*AUDIT_COLUMNS)
