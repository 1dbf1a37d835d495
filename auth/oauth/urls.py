"""The OAuth pages at the site root (``/authorize``, RFC 8414 metadata); ``/login`` and ``/logout`` are the portal's.

The API endpoints (``/api/v1/oauth/...``) are in :mod:`auth.urls`.
"""

from django.urls import path, re_path

from auth.oauth.views import AuthorizationView, ServerMetadataView

urlpatterns = [
    re_path(r"^authorize/?$", AuthorizationView.as_view(), name="oauth-authorize"),
    path(".well-known/oauth-authorization-server", ServerMetadataView.as_view(), name="oauth-metadata"),
]
