"""The portal's mail: a subject and a plain-text body from templates, sent through Django's backend.

    mail_send(to="alice@example.org", template="verify", context={"link": "https://.../verify/..."})

``portal/mail/<template>_subject.txt`` and ``portal/mail/<template>.txt``. A mail server
that refuses or does not answer (``EMAIL_TIMEOUT``) is logged and reported as ``False``:
the page then says so and offers to send again, instead of failing the whole request.
"""

from __future__ import annotations

import logging
import smtplib
from typing import Any

from django.core.mail import send_mail
from django.template.loader import render_to_string

logger = logging.getLogger("portal.mail")


def mail_send(*, to: str, template: str, context: dict[str, Any]) -> bool:
    subject = " ".join(render_to_string(f"portal/mail/{template}_subject.txt", context).split())
    body = render_to_string(f"portal/mail/{template}.txt", context)
    try:
        send_mail(subject, body, None, [to])
    except (smtplib.SMTPException, OSError):
        logger.exception("could not send the %s mail", template)
        return False
    return True
