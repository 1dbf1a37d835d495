"""The portal's answers to what the layers below announce."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from portal.services.accounts import email_change_mail
from resources.signals import email_change_requested


@receiver(email_change_requested, dispatch_uid="portal.email_change_mail")
def email_change_requested_mail(sender: Any, user: Any, base_url: str, **kwargs: Any) -> bool:
    """Mail the link that confirms a pending address, whoever asked (the API, the portal)."""
    return email_change_mail(user=user, base_url=base_url)
