"""The account portal's pages: ``/settings/...``."""

from django.urls import path
from django.views.generic import RedirectView

from portal.views import sudo

app_name = "portal"

urlpatterns = [
    path("settings/", RedirectView.as_view(pattern_name="portal:confirm"), name="home"),
    path("settings/confirm", sudo.confirm, name="confirm"),
]
