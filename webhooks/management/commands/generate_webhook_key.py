"""``manage.py generate_webhook_key [--id ID]``: a new Ed25519 signing key.

Prints the ``id:seed`` line alone on standard output (for ``WEBHOOK_SIGNING_KEYS``; put the
new key first to rotate) and the public key on standard error.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from django.core.management.base import BaseCommand

from webhooks.signing import generate_signing_key, parse_signing_keys


class Command(BaseCommand):
    help = "Generate an Ed25519 webhook signing key (id:seed on stdout, public key on stderr)."
    # The system checks refuse a production configuration without a signing key (webhooks.E001),
    # and this command is how an operator makes the first one.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--id", default=datetime.now(UTC).strftime("%Y-%m-%d"))

    def handle(self, *args: Any, **options: Any) -> None:
        text = generate_signing_key(options["id"])
        self.stdout.write(text)
        self.stderr.write(f"public key ({options['id']}): {parse_signing_keys(text)[0].public_key_b64}")
