from django.apps import AppConfig


class ApiServiceConfig(AppConfig):
    name = "apiservice"
    label = "apiservice"
    verbose_name = "API service"

    def ready(self) -> None:
        from apiservice.api import schema  # noqa: F401  (registers OpenAPI extensions)
