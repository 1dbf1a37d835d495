"""Webhook endpoints (§4.1, §4.2, §4.4)."""

from __future__ import annotations

from uuid import UUID

from django.db.models import QuerySet
from django.http import Http404
from drf_spectacular.utils import extend_schema, extend_schema_view, inline_serializer
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response

from auth.principal import request_credential, request_user_id
from core.client import client_ip
from core.views import ApiView, ListView
from webhooks.catalogue import catalogue
from webhooks.keys import public_keys
from webhooks.models import Delivery, Subscription
from webhooks.serializers import (
    DeliverySerializer,
    ReplayedSerializer,
    ReplaySerializer,
    SubscriptionCreateSerializer,
    SubscriptionSerializer,
)
from webhooks.services.emitting import deliveries_replay, delivery_redeliver, delivery_test
from webhooks.services.subscriptions import subscription_create, subscription_delete

Accepted = inline_serializer("Accepted", {"id": serializers.UUIDField(help_text="the delivery")})


@extend_schema_view(get=extend_schema(operation_id="webhooks_list", tags=["webhooks"]))
class SubscriptionListView(ListView):
    """``GET``/``POST /user/webhooks`` ``{url, events}``; needs webhooks:write and each event's read scope."""

    required_scope = "webhooks"
    serializer_class = SubscriptionSerializer

    def get_queryset(self) -> QuerySet[Subscription]:
        return Subscription.objects.filter(user_id=request_user_id(self.request))

    @extend_schema(
        operation_id="webhooks_create", tags=["webhooks"], request=SubscriptionCreateSerializer,
        responses={201: SubscriptionSerializer},
    )  # fmt: skip
    def post(self, request: Request) -> Response:
        incoming = SubscriptionCreateSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        subscription = subscription_create(
            user_id=request_user_id(request),
            url=incoming.validated_data["url"],
            event_names=incoming.validated_data["events"],
            scopes=request_credential(request).scopes,
        )
        return Response(SubscriptionSerializer(subscription).data, status=status.HTTP_201_CREATED)


class SubscriptionMixin:
    def subscription(self, request: Request, webhook_id: int) -> Subscription:
        subscription = Subscription.objects.filter(pk=webhook_id, user_id=request_user_id(request)).first()
        if subscription is None:
            raise Http404
        return subscription


class SubscriptionDetailView(SubscriptionMixin, ApiView):
    """``GET``/``DELETE /user/webhooks/:id``."""

    required_scope = "webhooks"

    @extend_schema(operation_id="webhooks_retrieve", tags=["webhooks"], responses=SubscriptionSerializer)
    def get(self, request: Request, webhook_id: int) -> Response:
        return Response(SubscriptionSerializer(self.subscription(request, webhook_id)).data)

    @extend_schema(operation_id="webhooks_destroy", tags=["webhooks"], responses={204: None})
    def delete(self, request: Request, webhook_id: int) -> Response:
        subscription_delete(subscription=self.subscription(request, webhook_id))
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema_view(get=extend_schema(operation_id="webhook_deliveries_list", tags=["webhooks"]))
class DeliveryListView(SubscriptionMixin, ListView):
    """``GET /user/webhooks/:id/deliveries``: the delivery log, newest first."""

    required_scope = "webhooks"
    serializer_class = DeliverySerializer

    def get_queryset(self) -> QuerySet[Delivery]:
        return Delivery.objects.filter(subscription=self.subscription(self.request, self.kwargs["webhook_id"]))


class DeliveryDetailView(SubscriptionMixin, ApiView):
    """``GET /user/webhooks/:id/deliveries/:uuid``."""

    required_scope = "webhooks"

    def delivery(self, request: Request, webhook_id: int, delivery_id: str) -> Delivery:
        subscription = self.subscription(request, webhook_id)
        try:
            uuid = UUID(delivery_id)
        except ValueError:  # checked already (core.routing.well_formed_ids); kept for a direct call
            raise Http404 from None
        delivery = Delivery.objects.filter(subscription=subscription, uuid=uuid).first()
        if delivery is None:
            raise Http404
        return delivery

    @extend_schema(operation_id="webhook_deliveries_retrieve", tags=["webhooks"], responses=DeliverySerializer)
    def get(self, request: Request, webhook_id: int, delivery_id: str) -> Response:
        return Response(DeliverySerializer(self.delivery(request, webhook_id, delivery_id)).data)


class RedeliverView(DeliveryDetailView):
    """``POST .../deliveries/:uuid/redeliver`` -> 202: the same delivery (same id and body), again."""

    @extend_schema(
        operation_id="webhook_deliveries_redeliver", tags=["webhooks"], request=None, responses={202: Accepted}
    )
    def post(self, request: Request, webhook_id: int, delivery_id: str) -> Response:
        delivery = self.delivery(request, webhook_id, delivery_id)
        delivery_redeliver(delivery=delivery)
        return Response({"id": str(delivery.uuid)}, status=status.HTTP_202_ACCEPTED)

    http_method_names = ["post", "options"]


class WebhookTestView(SubscriptionMixin, ApiView):
    """``POST /user/webhooks/:id/test`` -> 202: sends a ``webhook:test`` delivery."""

    required_scope = "webhooks"
    rate_limit_scopes = {"POST": "webhook-test"}

    @extend_schema(operation_id="webhooks_test", tags=["webhooks"], request=None, responses={202: Accepted})
    def post(self, request: Request, webhook_id: int) -> Response:
        delivery = delivery_test(subscription=self.subscription(request, webhook_id))
        return Response({"id": str(delivery.uuid)}, status=status.HTTP_202_ACCEPTED)


class ReplayView(SubscriptionMixin, ApiView):
    """``POST /user/webhooks/:id/replay`` ``{"since": "<RFC 3339>"}`` -> 202: sends the subscription's
    failed deliveries created since then again, with the same ids and bodies (audit-logged)."""

    required_scope = "webhooks"
    rate_limit_scopes = {"POST": "webhook-test"}

    @extend_schema(
        operation_id="webhooks_replay", tags=["webhooks"], request=ReplaySerializer, responses={202: ReplayedSerializer}
    )
    def post(self, request: Request, webhook_id: int) -> Response:
        subscription = self.subscription(request, webhook_id)
        incoming = ReplaySerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        count = deliveries_replay(
            subscription=subscription, since=incoming.validated_data["since"], ip=client_ip(request)
        )
        return Response({"replayed": count}, status=status.HTTP_202_ACCEPTED)


class EventCatalogueView(ApiView):
    """``GET /webhooks/events``: every event, the scope to subscribe, its payload's JSON Schema."""

    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="webhook_events",
        tags=["webhooks"],
        responses=inline_serializer(
            "EventCatalogue",
            {
                "events": serializers.ListField(
                    child=inline_serializer(
                        "EventEntry",
                        {
                            "event": serializers.CharField(),
                            "description": serializers.CharField(),
                            "scope": serializers.CharField(),
                            "schema": serializers.DictField(),
                        },
                    )
                )
            },
        ),
    )
    def get(self, request: Request) -> Response:
        return Response({"events": catalogue()})


class SigningKeysView(ApiView):
    """``GET /webhooks/keys``: the public keys that sign deliveries (base64, raw Ed25519)."""

    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="webhook_keys",
        tags=["webhooks"],
        responses=inline_serializer(
            "WebhookKeys",
            {
                "keys": serializers.ListField(
                    child=inline_serializer(
                        "WebhookKey",
                        {
                            "id": serializers.CharField(),
                            "algorithm": serializers.CharField(),
                            "public_key": serializers.CharField(),
                        },
                    )
                )
            },
        ),
    )
    def get(self, request: Request) -> Response:
        return Response({"keys": public_keys()})
