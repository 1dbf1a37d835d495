"""``manage.py create_user USERNAME [--email E] [--password-from-stdin] [--superuser] [--base-url URL]``.

With ``--password-from-stdin`` the user signs in with that password at once. Without it, the
user has no password yet and the command prints a one-time link (valid for
``PASSWORD_RESET_TIMEOUT``, three days by default) where they choose one: the link alone on
standard output, so a script can capture it and send it on.
"""

from __future__ import annotations

import sys
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import default_token_generator
from django.core.management.base import BaseCommand, CommandError
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode


class Command(BaseCommand):
    help = "Create a user; without --password-from-stdin, print a one-time link to choose a password."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("username")
        parser.add_argument("--email", default="")
        parser.add_argument("--password-from-stdin", action="store_true", help="read the password from stdin")
        parser.add_argument("--superuser", action="store_true", help="give the user admin access")
        parser.add_argument(
            "--base-url", default="http://127.0.0.1:8000", help="the service's public URL, for the set-password link"
        )

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
        if password is None:
            self.stderr.write("the user has no password yet; send them this link to choose one (it works once):")
            self.stdout.write(set_password_link(user, options["base_url"]))


def set_password_link(user: Any, base_url: str) -> str:
    """The password-reset page's link for ``user``: one use, ``PASSWORD_RESET_TIMEOUT`` long."""
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    path = reverse(
        "portal:password_reset_confirm", kwargs={"uidb64": uid, "token": default_token_generator.make_token(user)}
    )
    return base_url.rstrip("/") + path
