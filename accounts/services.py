"""Writing the audit log: one row per change, inside the caller's transaction; pruning it by age."""

from __future__ import annotations

from datetime import timedelta

from django.db import connection, transaction
from django.utils import timezone

from accounts.models import AuditLogEntry

MAX_DETAILS = 2000


def audit_log_record(*, user_id: int, action: str, ip: str | None, details: str = "") -> AuditLogEntry:
    """Record ``action`` (e.g. ``"api-key:create"``) by the user, from ``ip``."""
    return AuditLogEntry.objects.create(user_id=user_id, action=action, ip=ip, details=details[:MAX_DETAILS])


def audit_log_record_use(*, user_id: int, action: str, ip: str | None, details: str = "") -> None:
    """Record a credential's use (not a change) without waiting for the WAL flush.

    Uses are the hot path (every key exchange); a database crash may lose the last
    fraction of a second of them, never a change, which keeps its synchronous commit.
    One statement, one round trip: ``set_config(..., true)`` in a CTE relaxes the commit of
    the statement's own transaction (or, inside an atomic block, of that block's), where
    ``SET LOCAL`` would need a transaction of its own around the INSERT.
    """
    table = AuditLogEntry._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"WITH relaxed AS (SELECT set_config('synchronous_commit', 'off', true)) "
            f'INSERT INTO "{table}" (user_id, ip, action, details, created) '
            "SELECT %s, %s, %s, %s, %s FROM relaxed",
            [user_id, ip, action, details[:MAX_DETAILS], timezone.now()],
        )


def audit_log_record_use_sql(*, rows: str, user_id: str, details: str, condition: str) -> str:
    """:func:`audit_log_record_use` as two common table expressions for a caller's statement that
    finds the user in the same round trip (the key exchange): one use entry for each row of the
    CTE ``rows`` that meets ``condition``, from the columns ``user_id`` and ``details``. The
    caller passes ``%(ip)s``, ``%(action)s`` and ``%(now)s``.

    The audit table's only writer is this module: the statement's INSERT is written here.
    """
    table = AuditLogEntry._meta.db_table
    return (
        "relaxed AS (SELECT set_config('synchronous_commit', 'off', true)), "
        f'recorded AS (INSERT INTO "{table}" (user_id, ip, action, details, created) '
        f"SELECT {user_id}, %(ip)s::inet, %(action)s, left({details}, {MAX_DETAILS}), %(now)s "
        f"FROM {rows}, relaxed WHERE {condition})"
    )


def audit_log_prune(*, older_than: timedelta, batch_size: int = 1000) -> int:
    """Remove audit entries created before ``now - older_than``, oldest first; returns how many.

    Each batch of ``batch_size`` ids is one short transaction (a SELECT of ids by primary
    key, then one DELETE), so pruning a large log never holds a lock for long.
    ``audit_log_prune(older_than=timedelta(days=365))`` keeps a year.
    """
    cutoff = timezone.now() - older_than
    old = AuditLogEntry.objects.filter(created__lt=cutoff).order_by("id").values_list("id", flat=True)
    removed = 0
    while True:
        with transaction.atomic():
            ids = list(old[:batch_size])
            if not ids:
                return removed
            removed += AuditLogEntry.objects.filter(id__in=ids).delete()[0]
