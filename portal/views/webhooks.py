"""``/settings/webhooks``: subscriptions (a URL and events from the catalogue), each with its
delivery log; a delivery's request and response as recorded; redeliver, a test ping and
"replay failed since" (the API's rate limit on the last two). The API's services throughout."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from core.client import client_ip
from core.errors import ServiceError
from portal.api_limits import rate_limited
from portal.inputs import Errors, service_errors, validated
from portal.paging import page_of
from portal.views.common import confirm_page, owner_id, page_view, person, read_view
from webhooks import events
from webhooks.models import Delivery, Subscription
from webhooks.serializers import ReplaySerializer, SubscriptionCreateSerializer
from webhooks.services.emitting import deliveries_replay, delivery_redeliver, delivery_test
from webhooks.services.subscriptions import subscription_create, subscription_delete


def event_choices(checked: list[str]) -> list[dict[str, Any]]:
    """A checkbox per event of the catalogue (the registry the apps fill)."""
    return [
        {"id": "events-" + event.name.replace(":", "-"), "value": event.name, "label": event.description,
         "scope": event.scope, "checked": event.name in checked}
        for event in events.all_events()
    ]  # fmt: skip


@page_view
def webhooks(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        errors = subscribe(request)
        if not errors:
            return redirect("portal:webhooks")
    else:
        errors = {}
    context = {
        "page": page_of(request, Subscription.objects.filter(user_id=owner_id(request))),
        "errors": errors,
        "url": request.POST.get("url", "") if errors else "",
        "events": event_choices(request.POST.getlist("events") if errors else []),
    }
    return render(request, "portal/webhooks.html", context)


def subscribe(request: HttpRequest) -> Errors:
    incoming, errors = validated(
        SubscriptionCreateSerializer, {"url": request.POST.get("url", ""), "events": request.POST.getlist("events")}
    )
    if incoming is None:
        return errors
    try:
        subscription = subscription_create(
            user_id=owner_id(request),
            url=incoming["url"],
            event_names=incoming["events"],
            scopes=person(request).scopes,
        )
    except ServiceError as exc:
        return service_errors(exc)
    messages.success(request, f"Subscribed {subscription.url} to {', '.join(subscription.events)}.")
    return {}


def owned(request: HttpRequest, webhook_id: int) -> Subscription:
    return get_object_or_404(Subscription, pk=webhook_id, user_id=owner_id(request))


@read_view
def webhook(request: HttpRequest, webhook_id: int) -> HttpResponse:
    return webhook_page(request, owned(request, webhook_id))


def webhook_page(request: HttpRequest, subscription: Subscription, errors: Errors | None = None) -> HttpResponse:
    """A subscription and a page of its delivery log (without the bodies, which its own page shows)."""
    context = {
        "subscription": subscription,
        "page": page_of(request, Delivery.objects.filter(subscription=subscription).defer("body", "response")),
        "errors": errors or {},
        "since": request.POST.get("since", "") if errors else "",
    }
    return render(request, "portal/webhook.html", context)


@page_view
def delete(request: HttpRequest, webhook_id: int) -> HttpResponse:
    subscription = owned(request, webhook_id)
    if request.method == "POST":
        subscription_delete(subscription=subscription)
        messages.success(request, f"The subscription of {subscription.url} was deleted.")
        return redirect("portal:webhooks")
    return confirm_page(
        request,
        title="Delete subscription",
        question=f"Delete the subscription of {subscription.url}?",
        detail="Nothing more is sent to it, and its delivery log goes with it.",
        button="Delete subscription",
        cancel="portal:webhooks",
    )


@page_view
@require_POST
@rate_limited("webhook-test")
def test(request: HttpRequest, webhook_id: int) -> HttpResponse:
    delivery = delivery_test(subscription=owned(request, webhook_id))
    messages.success(request, f"A test delivery ({delivery.uuid}) is on its way.")
    return redirect("portal:webhook", webhook_id=webhook_id)


@page_view
@require_POST
@rate_limited("webhook-test")
def replay(request: HttpRequest, webhook_id: int) -> HttpResponse:
    subscription = owned(request, webhook_id)
    incoming, errors = validated(ReplaySerializer, {"since": request.POST.get("since") or None})
    if incoming is None:
        return webhook_page(request, subscription, errors)
    count = deliveries_replay(subscription=subscription, since=incoming["since"], ip=client_ip(request))
    messages.success(request, f"{count} failed deliveries since then are queued again.")
    return redirect("portal:webhook", webhook_id=webhook_id)


def owned_delivery(request: HttpRequest, webhook_id: int, delivery_id: str) -> Delivery:
    subscription = owned(request, webhook_id)
    try:
        uuid = UUID(delivery_id)
    except ValueError:
        raise Http404 from None
    return get_object_or_404(Delivery, subscription=subscription, uuid=uuid)


@read_view
def delivery(request: HttpRequest, webhook_id: int, delivery_id: str) -> HttpResponse:
    found = owned_delivery(request, webhook_id, delivery_id)
    context = {"delivery": found, "attempts": found.attempt_log.order_by("-id")[:50]}
    return render(request, "portal/delivery.html", context)


@page_view
@require_POST
def redeliver(request: HttpRequest, webhook_id: int, delivery_id: str) -> HttpResponse:
    found = owned_delivery(request, webhook_id, delivery_id)
    delivery_redeliver(delivery=found)
    messages.success(request, "The delivery is queued to be sent again, with the same id and body.")
    return redirect("portal:delivery", webhook_id=webhook_id, delivery_id=found.uuid)
