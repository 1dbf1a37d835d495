from django.apps import AppConfig


class ResourcesConfig(AppConfig):
    name = "resources"
    verbose_name = "Resources"

    def ready(self) -> None:
        from resources import events  # noqa: F401  (registers profile, key and repository events)
