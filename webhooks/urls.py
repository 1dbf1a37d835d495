"""Webhook routes under /api/v1/ (§4)."""

from core.routing import route
from webhooks import views

HOOK = r"user/webhooks/(?P<webhook_id>[0-9]+)"
DELIVERY = HOOK + r"/deliveries/(?P<delivery_id>[0-9a-fA-F-]{36})"

urlpatterns = [
    route("webhooks/events", views.EventCatalogueView.as_view(), "webhook-events"),
    route("webhooks/keys", views.SigningKeysView.as_view(), "webhook-keys"),
    route("user/webhooks", views.SubscriptionListView.as_view(), "webhook-list"),
    route(HOOK, views.SubscriptionDetailView.as_view(), "webhook-detail"),
    route(HOOK + "/test", views.WebhookTestView.as_view(), "webhook-test"),
    route(HOOK + "/replay", views.ReplayView.as_view(), "webhook-replay"),
    route(HOOK + "/deliveries", views.DeliveryListView.as_view(), "delivery-list"),
    route(DELIVERY, views.DeliveryDetailView.as_view(), "delivery-detail"),
    route(DELIVERY + "/redeliver", views.RedeliverView.as_view(), "delivery-redeliver"),
]
