"""Subscriptions: creating them (scope-checked), deleting them, and disabling them after failures (audited)."""

from __future__ import annotations

from django.db.models import F

from accounts.services import audit_log_record
from auth.scopes import grants
from core.errors import ForbiddenError
from webhooks import events
from webhooks.conf import webhook_settings
from webhooks.models import Delivery, Subscription


def subscription_create(*, user_id: int, url: str, event_names: list[str], scopes: frozenset[str]) -> Subscription:
    """Subscribe ``url`` to the events; the credential needs each event's read scope."""
    for needed in sorted({events.get(name).scope for name in event_names}):
        if not grants(scopes, needed):
            raise ForbiddenError(None, f"subscribing to these events needs the {needed} scope")
    return Subscription.objects.create(user_id=user_id, url=url, events=event_names)


def subscription_delete(*, subscription: Subscription) -> None:
    """Unsubscribe: the subscription and its delivery log go; nothing more is sent to it."""
    subscription.delete()


def subscription_after_failure(*, subscription: Subscription, final: bool, status: int | None) -> None:
    """After a failed attempt: a 410, or too many failed deliveries in a row, disable the subscription."""
    if status == 410:
        subscription_disable(subscription=subscription, reason="the receiver answered 410 Gone")
        return
    if not final:
        return
    Subscription.objects.filter(pk=subscription.pk).update(consecutive_failures=F("consecutive_failures") + 1)
    subscription.refresh_from_db(fields=["consecutive_failures"])
    limit = webhook_settings().DISABLE_AFTER_FAILURES
    if subscription.enabled and subscription.consecutive_failures >= limit:
        subscription_disable(subscription=subscription, reason=f"{limit} consecutive deliveries failed")


def subscription_disable(*, subscription: Subscription, reason: str) -> None:
    """Stop sending to the subscription, drop what is still due, and say why in the audit log."""
    if not subscription.enabled:
        return
    subscription.enabled, subscription.disabled_reason = False, reason
    subscription.save(update_fields=["enabled", "disabled_reason"])
    Delivery.objects.filter(subscription=subscription, next_attempt__isnull=False).update(
        next_attempt=None, response_status=Delivery.NO_ANSWER
    )
    audit_log_record(
        user_id=subscription.user_id, action="webhook:disable", ip=None, details=f"{subscription.url}: {reason}"
    )
