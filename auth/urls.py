"""Credential routes under /api/v1/: API keys, the JWT exchange, OAuth, Quay's app tokens."""

from auth.apptokens import AppTokenDetailView, AppTokenListView
from auth.oauth.api import (
    AuthorizationDetailView,
    AuthorizationListView,
    OAuthAppDetailView,
    OAuthAppListView,
    OAuthAppSecretView,
)
from auth.oauth.views import RevokeTokenView, TokenView
from auth.views import ApiKeyDetailView, ApiKeyListView, AuthenticateView
from core.routing import route

urlpatterns = [
    route("authenticate", AuthenticateView.as_view(), "authenticate"),
    route("keys", ApiKeyListView.as_view(), "api-key-list"),
    route("keys/(?P<pk>[^/]+)", ApiKeyDetailView.as_view(), "api-key-detail"),
    route("oauth/apps", OAuthAppListView.as_view(), "oauth-app-list"),
    route("oauth/apps/(?P<client_id>[A-Za-z0-9-]+)", OAuthAppDetailView.as_view(), "oauth-app-detail"),
    route("oauth/apps/(?P<client_id>[A-Za-z0-9-]+)/rotate-secret", OAuthAppSecretView.as_view(), "oauth-app-secret"),
    route("oauth/authorizations", AuthorizationListView.as_view(), "oauth-authorization-list"),
    route(
        "oauth/authorizations/(?P<client_id>[A-Za-z0-9-]+)",
        AuthorizationDetailView.as_view(),
        "oauth-authorization-detail",
    ),
    route("oauth/token", TokenView.as_view(), "oauth-token"),
    route("oauth/revoke", RevokeTokenView.as_view(), "oauth-revoke"),
    route("user/apptoken", AppTokenListView.as_view(), "apptoken-list"),
    route("user/apptoken/(?P<uuid>[^/]+)", AppTokenDetailView.as_view(), "apptoken-detail"),
]
