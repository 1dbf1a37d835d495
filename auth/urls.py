"""Credential routes under /api/v1/."""

from apiservice.api.routing import route
from auth.views import ApiKeyDetailView, ApiKeyListView, AuthenticateView

urlpatterns = [
    route("authenticate", AuthenticateView.as_view(), "authenticate"),
    route("keys", ApiKeyListView.as_view(), "api-key-list"),
    route("keys/(?P<pk>[0-9]+)", ApiKeyDetailView.as_view(), "api-key-detail"),
]
