"""Deactivating a user revokes every JWT of theirs at once; reactivating lifts that."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.db.models.signals import post_save
from django.dispatch import receiver

from auth import revocation


@receiver(post_save, sender=get_user_model(), dispatch_uid="auth.user_active_marker")
def user_active_marker(sender: Any, instance: Any, created: bool, update_fields: Any = None, **kwargs: Any) -> None:
    if created or (update_fields is not None and "is_active" not in update_fields):
        return
    marker = revocation.user_marker(instance.pk)
    if instance.is_active:
        revocation.clear_marker(marker)
    else:
        revocation.mark_revoked(marker)
