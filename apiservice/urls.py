"""Root URLs: the API under /api/v1/, the admin under /admin/."""

from django.conf import settings
from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path
from django_ratelimit.decorators import ratelimit
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

from apiservice.api.routing import route
from apiservice.views import HealthView, VersionView

api_v1: list[URLPattern | URLResolver] = [
    route("version", VersionView.as_view(), "version"),
    route("health", HealthView.as_view(), "health"),
    route("schema", SpectacularAPIView.as_view(), "schema"),
    route("docs", SpectacularSwaggerView.as_view(url_name="schema"), "docs"),
    route("redoc", SpectacularRedocView.as_view(url_name="schema"), "redoc"),
    path("", include("accounts.urls")),
    path("", include("auth.urls")),
    path("", include("ratelimit.urls")),
    path("", include("resources.urls")),
    path("", include("webhooks.urls")),
]

# The admin login is a plain Django view: django-ratelimit fits it (§5, §6.4).
admin_login_limit = ratelimit(key="ip", rate=settings.ADMIN_LOGIN_RATE, method="POST", block=True)
admin.site.login = admin_login_limit(admin.site.login)  # type: ignore[method-assign]

urlpatterns = [
    path("api/v1/", include(api_v1)),
    path("admin/", admin.site.urls),
]

handler500 = "apiservice.api.middleware.server_error"
