"""``manage.py create_api_key USERNAME [--name N] [--scopes "*"] [--expires ISO8601]``.

Prints the secret alone on standard output, so scripts can capture it:

    KEY=$(python manage.py create_api_key alice --scopes "repos:read keys:write")
"""

from __future__ import annotations

from datetime import UTC
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from auth.scopes import ScopeError
from auth.services import api_key_create


class Command(BaseCommand):
    help = "Create an API key for a user and print it (only the key) on standard output."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("username")
        parser.add_argument("--name", default="cli")
        parser.add_argument("--scopes", default="*", help='space- or comma-separated, e.g. "repos:read keys:write"')
        parser.add_argument("--expires", default=None, help="ISO 8601 date-time, e.g. 2027-01-01T00:00:00+00:00")

    def handle(self, *args: Any, **options: Any) -> None:
        user = get_user_model().objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(f"no user {options['username']!r}")
        expires = None
        if options["expires"]:
            expires = parse_datetime(options["expires"])
            if expires is None:
                raise CommandError("--expires must be an ISO 8601 date-time")
            if timezone.is_naive(expires):
                expires = timezone.make_aware(expires, UTC)
        scopes = options["scopes"].replace(",", " ").split()
        try:
            issued = api_key_create(user=user, name=options["name"], scopes=scopes, expires=expires)
        except ScopeError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(issued.secret)
