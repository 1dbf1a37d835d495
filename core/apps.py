from django.apps import AppConfig


class CoreConfig(AppConfig):
    """Layer 0: the conventions every endpoint shares (no models); its templates override
    DRF's and drf-spectacular's pages, so it is listed before them."""

    name = "core"
    label = "core"
    verbose_name = "API conventions"

    def ready(self) -> None:

        from django.db.backends.signals import connection_created

        from core import schema  # noqa: F401  (registers OpenAPI extensions)
        from core.outages import DATABASE, OUTAGES
        from core.request_signals import settle

        settle()  # Django's request receivers that can do nothing here, off (fast path)

        connection_created.connect(
            lambda **kwargs: OUTAGES.recovered(DATABASE), weak=False, dispatch_uid="core.outages"
        )
