"""``manage.py create_user USERNAME [--email E] [--password-from-stdin]``."""

from __future__ import annotations

import sys
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Create a user (without a password unless --password-from-stdin)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("username")
        parser.add_argument("--email", default="")
        parser.add_argument("--password-from-stdin", action="store_true", help="read the password from stdin")
        parser.add_argument("--superuser", action="store_true", help="give the user admin access")

    def handle(self, *args: Any, **options: Any) -> None:
        User = get_user_model()
        username = options["username"]
        if User.objects.filter(username=username).exists():
            raise CommandError(f"user {username!r} already exists")
        password = sys.stdin.readline().rstrip("\n") if options["password_from_stdin"] else None
        if options["password_from_stdin"] and not password:
            raise CommandError("no password on standard input")
        create = User.objects.create_superuser if options["superuser"] else User.objects.create_user
        user = create(username=username, email=options["email"], password=password)
        self.stderr.write(f"created user ~{user.username} (id {user.pk})")
