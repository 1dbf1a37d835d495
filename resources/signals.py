"""What the resources layer announces to the layers above it (the portal listens).

``email_change_requested``: a new email address is pending (``user.pending_email``) and
the link that confirms it must reach it. Sent with ``user`` and ``base_url`` (the scheme
and host the caller used, for the link) after the transaction that kept the address; a
receiver mails the link and returns whether the mail went out.
"""

from __future__ import annotations

from django.dispatch import Signal

email_change_requested = Signal()
