"""The embedded stack's outgoing mail: each message one ``.eml`` file under ``var/mail/``.

Django's file backend, one file per message: Django's own appends every message of a
connection to one ``.log`` file with separator lines, which no mail reader opens; an
``.eml`` file opens in any of them, and a test or a person finds a message by its name.
Used only when nothing else is configured (no ``EMAIL_URL``) on the embedded stack.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from django.core.mail.backends.filebased import EmailBackend
from django.core.mail.message import EmailMessage


class EmlFileBackend(EmailBackend):
    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        for message in email_messages:
            name = f"{datetime.now():%Y%m%d-%H%M%S}-{uuid.uuid4().hex[:12]}.eml"
            (Path(self.file_path) / name).write_bytes(message.message().as_bytes())
        return len(email_messages)
