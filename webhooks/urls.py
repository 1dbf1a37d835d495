"""Webhook routes under /api/v1/ (§4); a malformed id is a 400 (core.routing.well_formed_ids)."""

from core.routing import route
from webhooks import views

HOOK = r"user/webhooks/(?P<webhook_id>[^/]+)"
DELIVERY = HOOK + r"/deliveries/(?P<delivery_id>[^/]+)"

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
