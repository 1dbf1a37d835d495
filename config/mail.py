"""Outgoing mail's settings (docs/configuration.md#mail): ``EMAIL_URL``, or the embedded stack's files.

    >>> email_settings(url="smtp+tls://bot:secret@mail.example.org:587", from_email="", file_dir=None)["EMAIL_PORT"]
    587

``EMAIL_URL`` is read by django-environ (``smtp://``, ``smtp+tls://``, ``smtp+ssl://``,
``consolemail://``, ...). Without it the embedded stack writes each message to an ``.eml``
file under ``<APISERVICE_VAR_DIR>/mail/`` and anything else uses Django's SMTP backend on
``localhost:25``, a local mail relay's usual place.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import environ

DEFAULT_FROM = "apiservice <noreply@localhost>"
TIMEOUT_SECONDS = 10  # a mail server that does not answer fails the send, not the worker


def email_settings(*, url: str, from_email: str, file_dir: Path | None) -> dict[str, Any]:
    """Django's ``EMAIL_*`` settings and ``DEFAULT_FROM_EMAIL``/``SERVER_EMAIL``."""
    sender = from_email or DEFAULT_FROM
    chosen: dict[str, Any] = {"DEFAULT_FROM_EMAIL": sender, "SERVER_EMAIL": sender, "EMAIL_TIMEOUT": TIMEOUT_SECONDS}
    if url:
        chosen.update({name: value for name, value in environ.Env.email_url_config(url).items() if value is not None})
    elif file_dir is not None:
        chosen.update({"EMAIL_BACKEND": "devstack.mail.EmlFileBackend", "EMAIL_FILE_PATH": str(file_dir)})
    return chosen
