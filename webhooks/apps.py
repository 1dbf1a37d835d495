from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    name = "webhooks"
    verbose_name = "Webhooks"

    def ready(self) -> None:
        from core.metrics import register_collector
        from webhooks import checks  # noqa: F401  (the signing-key check, tag "apiservice")
        from webhooks.metrics import COLLECTOR

        register_collector(COLLECTOR)  # deliveries by state and the oldest due one, at scrape time
