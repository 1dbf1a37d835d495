"""Writing the audit log: one row per change, inside the caller's transaction."""

from __future__ import annotations

from django.db import connection, transaction

from accounts.models import AuditLogEntry

MAX_DETAILS = 2000


def audit_log_record(*, user_id: int, action: str, ip: str | None, details: str = "") -> AuditLogEntry:
    """Record ``action`` (e.g. ``"api-key:create"``) by the user, from ``ip``."""
    return AuditLogEntry.objects.create(user_id=user_id, action=action, ip=ip, details=details[:MAX_DETAILS])


def audit_log_record_use(*, user_id: int, action: str, ip: str | None, details: str = "") -> None:
    """Record a credential's use (not a change) without waiting for the WAL flush.

    Uses are the hot path (every key exchange); a database crash may lose the last
    fraction of a second of them, never a change, which keeps its synchronous commit.
    """
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit TO OFF")
        audit_log_record(user_id=user_id, action=action, ip=ip, details=details)
