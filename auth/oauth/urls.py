"""The OAuth pages at the site root (``/authorize``, ``/login``, ``/logout``, RFC 8414 metadata).

The API endpoints (``/api/v1/oauth/...``) are in :mod:`auth.urls`.
"""

from django.urls import path, re_path

from auth.oauth.views import AuthorizationView, LoginView, LogoutView, ServerMetadataView

urlpatterns = [
    re_path(r"^authorize/?$", AuthorizationView.as_view(), name="oauth-authorize"),
    re_path(r"^login/?$", LoginView.as_view(), name="login"),
    re_path(r"^logout/?$", LogoutView.as_view(), name="logout"),
    path(".well-known/oauth-authorization-server", ServerMetadataView.as_view(), name="oauth-metadata"),
]
