"""A real SMTP server on loopback (aiosmtpd) that the service sends its mail to, in tests.

    def test_signing_up_mails_a_link(client, smtp_server):
        ...
        message = smtp_server.last(to="alice@example.org")
        link = message.link()

``smtp_server`` (a fixture of every test: tests/conftest.py imports it) starts ``aiosmtpd``'s server on 127.0.0.1 and a free port, points Django's
SMTP backend at it (the live server's thread too: same process, same settings) and
collects each message it receives, parsed. Neither side asks DNS for its own name (the
EHLO name is "localhost").
"""

from __future__ import annotations

import email
import re
import socket
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.policy import default
from typing import Any

import pytest
from aiosmtpd.controller import Controller

LINK = re.compile(r"https?://\S+")


@dataclass
class Mail:
    message: EmailMessage

    @property
    def to(self) -> str:
        return str(self.message["To"])

    @property
    def subject(self) -> str:
        return str(self.message["Subject"])

    @property
    def body(self) -> str:
        part = self.message.get_body(preferencelist=("plain",))
        assert part is not None
        return str(part.get_content())  # type: ignore[attr-defined]

    def link(self) -> str:
        found = LINK.findall(self.body)
        assert len(found) == 1, self.body
        return found[0]


@dataclass
class Inbox:
    received: list[Mail] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 (aiosmtpd's hook)
        parsed = email.message_from_bytes(envelope.original_content or envelope.content, policy=default)
        self.received.append(Mail(parsed))  # type: ignore[arg-type]
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[Mail]:
        return [mail for mail in self.received if address in mail.to]

    def last(self, *, to: str) -> Mail:
        mails = self.to(to)
        assert mails, f"no mail to {to}; received: {[(m.to, m.subject) for m in self.received]}"
        return mails[-1]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def smtp_server(settings: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[Inbox]:
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port(), server_hostname="localhost")
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", controller.port
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    try:
        yield inbox
    finally:
        controller.stop()
