"""Revocation markers (:mod:`auth.revocation`) follow the rows they stand for.

- Deactivating a user revokes every JWT and OAuth token of theirs at once; reactivating
  lifts that.
- Deleting an OAuth access token row (revoked through RFC 7009, rotated by a refresh,
  removed in the admin, or cascaded from its application or user) marks the token; deleting
  an application marks the application. Processes that cached the token's claims see the
  marker in the rate limiter's round trip on the next request.
- Deleting an application, however it goes (the API, the admin, its owner's deletion),
  deletes the API keys minted through its grants first, audited, their JWTs marked.
- Issuing an OAuth access token is audited as a use, like the key-to-JWT exchange.
- Changing the JWT settings forgets the JWTs this process has verified.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.signals import setting_changed
from django.db.models.signals import post_delete, post_save, pre_delete
from django.dispatch import receiver
from oauth2_provider.models import get_access_token_model, get_application_model

from accounts.services import audit_log_record_use
from auth import revocation
from auth.services import VERIFIED_JWTS, api_key_delete_minted


@receiver(post_save, sender=get_user_model(), dispatch_uid="auth.user_active_marker")
def user_active_marker(sender: Any, instance: Any, created: bool, update_fields: Any = None, **kwargs: Any) -> None:
    if created or (update_fields is not None and "is_active" not in update_fields):
        return
    marker = revocation.user_marker(instance.pk)
    if instance.is_active:
        revocation.clear_marker(marker)
    else:
        revocation.mark_revoked(marker)


@receiver(post_delete, sender=get_access_token_model(), dispatch_uid="auth.oauth_token_marker")
def oauth_token_marker(sender: Any, instance: Any, **kwargs: Any) -> None:
    revocation.mark_revoked(revocation.oauth_token_marker(instance.pk))


@receiver(post_delete, sender=get_application_model(), dispatch_uid="auth.oauth_app_marker")
def oauth_app_marker(sender: Any, instance: Any, **kwargs: Any) -> None:
    revocation.mark_revoked(revocation.oauth_app_marker(instance.pk))


@receiver(pre_delete, sender=get_application_model(), dispatch_uid="auth.oauth_app_minted_keys")
def oauth_app_minted_keys(sender: Any, instance: Any, **kwargs: Any) -> None:
    """Before the cascade would delete them unaudited and with their JWTs still valid."""
    api_key_delete_minted(application_id=instance.pk, reason=f"{instance.name} ({instance.client_id}) was deleted")


@receiver(post_save, sender=get_access_token_model(), dispatch_uid="auth.oauth_token_issued")
def oauth_token_issued(sender: Any, instance: Any, created: bool, **kwargs: Any) -> None:
    if created and instance.user_id is not None:
        audit_log_record_use(
            user_id=instance.user_id,
            action="oauth-token:issue",
            ip=None,
            details=f"token {instance.pk} of application {instance.application_id} ({instance.scope})",
        )


@receiver(setting_changed, dispatch_uid="auth.verified_jwts")
def forget_verified_jwts(sender: Any, setting: str, **kwargs: Any) -> None:
    """A new signing key (a test's settings; in production, a restart) re-verifies every JWT."""
    if setting in {"SIMPLE_JWT", "API_AUTH"}:
        VERIFIED_JWTS.clear()
