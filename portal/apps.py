from django.apps import AppConfig


class PortalConfig(AppConfig):
    """The account portal (layer 5): people's own pages, on the same services as the API."""

    name = "portal"
    label = "portal"
    verbose_name = "Account portal"

    def ready(self) -> None:
        from portal import receivers  # noqa: F401  (connects the receivers)
