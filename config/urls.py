"""Root URLs: the API under /api/v1/, the admin under /admin/, the OAuth pages at the root."""

from csp.constants import UNSAFE_INLINE
from csp.decorators import csp_update
from django.conf import settings
from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path, re_path
from django.views.generic import RedirectView
from django_ratelimit.decorators import ratelimit

from accounts import urls as accounts_urls
from auth import urls as auth_urls
from auth.oauth.views import SwaggerCallbackView
from config.metrics import metrics_view
from config.views import ApiRootView, HealthView, RedocView, SchemaView, SwaggerView, VersionView, favicon
from core.headers import API_V1
from core.routing import route
from portal import urls as portal_urls
from portal.admin_site import AdminLoginForm, admin_has_permission
from ratelimit import urls as ratelimit_urls
from resources import urls as resources_urls
from webhooks import urls as webhooks_urls

# Redoc writes <style> elements (styled-components, and a stylesheet at load, before any
# nonce could reach it) and runs its search in a worker made from a blob: URL; its scripts
# are files, so script-src stays strict (docs/conventions.md#pages).
REDOC_CSP = {"style-src": UNSAFE_INLINE, "worker-src": "blob:"}

# Django tries the patterns in order, one regular expression after another, and builds a
# match object at every level of include() it enters. No two of these match the same path,
# so the apps' lists are spliced in (one level fewer than an include()) and
# the busiest routes come first: the resources (the bulk of the traffic), then the key
# exchange (issue #12: /repos resolves in ~24 us instead of ~36, /authenticate in ~27
# instead of ~74).
api_v1: list[URLPattern | URLResolver] = [
    *resources_urls.urlpatterns,
    *auth_urls.urlpatterns,
    route("version", VersionView.as_view(), "version"),
    route("health", HealthView.as_view(), "health"),
    route("schema", SchemaView.as_view(), "schema"),
    route("docs", SwaggerView.as_view(url_name="schema"), "docs"),
    route("redoc", csp_update(REDOC_CSP)(RedocView.as_view(url_name="schema")), "redoc"),
    # Swagger UI's OAuth callback, beside the docs page where it looks for it
    route(r"oauth2-redirect\.html", SwaggerCallbackView.as_view(), "docs-oauth2-redirect"),
    *accounts_urls.urlpatterns,
    *ratelimit_urls.urlpatterns,
    *webhooks_urls.urlpatterns,
]

admin.site.site_header = admin.site.site_title = "apiservice administration"

# The admin login is a plain Django view: django-ratelimit fits it (§5, §6.4).
admin_login_limit = ratelimit(key="ip", rate=settings.ADMIN_LOGIN_RATE, method="POST", block=True)
admin.site.login = admin_login_limit(admin.site.login)  # type: ignore[method-assign]
# Two-factor authentication reaches the admin too (portal/admin_site.py): its form sends an account
# with a code to /login, and a session of such an account needs to have been signed in with one.
admin.site.login_form = AdminLoginForm
admin.site.has_permission = admin_has_permission  # type: ignore[method-assign]

urlpatterns = [
    path("api/v1/", include(api_v1)),  # first: nearly every request is one of these
    path("", RedirectView.as_view(url=API_V1, query_string=True)),  # / -> the API root (§1.11)
    path("favicon.ico", favicon),
    re_path(r"^api/v1/?$", ApiRootView.as_view(), name="api-root"),
    path("admin/", admin.site.urls),
    path("", include("portal.urls")),  # /settings/..., /signup, /password/reset: the account portal
    path("", include(portal_urls.site_urlpatterns)),  # /login, /logout
    path("", include("auth.oauth.urls")),  # /authorize, /.well-known/oauth-authorization-server
    route("metrics", metrics_view, "metrics"),  # Prometheus; loopback or METRICS_TOKEN only (docs/operations.md)
]

handler500 = "core.errors.server_error"
