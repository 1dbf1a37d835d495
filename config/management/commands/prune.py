"""``manage.py prune [--webhook-days N] [--audit-log-days N] [--batch-size N]``: retention now.

Removes finished webhook deliveries (with their attempts) and events older than
``RETENTION_WEBHOOK_DAYS``, and audit entries older than ``RETENTION_AUDIT_LOG_DAYS``,
in batches; beat runs the same every day. Prints what it removed:

    $ python manage.py prune --audit-log-days 90
    removed 120 deliveries, 80 events, 3051 audit_log
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from config.tasks import retention_prune


class Command(BaseCommand):
    help = "Remove webhook deliveries, events and audit entries older than the retention ages."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--webhook-days",
            type=int,
            help="age of deliveries and events (default RETENTION_WEBHOOK_DAYS; 0 keeps them)",
        )
        parser.add_argument(
            "--audit-log-days", type=int, help="age of audit entries (default RETENTION_AUDIT_LOG_DAYS; 0 keeps them)"
        )
        parser.add_argument("--batch-size", type=int, help="ids per DELETE (default RETENTION_BATCH_SIZE)")

    def handle(self, *args: Any, **options: Any) -> None:
        ages = {name: options[name] for name in ("webhook_days", "audit_log_days", "batch_size")}
        if any(value is not None and value < 0 for value in ages.values()) or options["batch_size"] == 0:
            raise CommandError("ages are days >= 0 and --batch-size is at least 1")
        removed = retention_prune(**ages)
        self.stdout.write("removed " + ", ".join(f"{count} {kind}" for kind, count in removed.items()))
