"""Writing the audit log: one row per change, inside the caller's transaction."""

from __future__ import annotations

from resources.models import AuditLogEntry


def audit_log_record(*, user_id: int, action: str, ip: str | None, details: str = "") -> AuditLogEntry:
    """Record ``action`` (e.g. ``"api-key:create"``) by the user, from ``ip``."""
    return AuditLogEntry.objects.create(user_id=user_id, action=action, ip=ip, details=details[:2000])
