from django.apps import AppConfig


class AuthConfig(AppConfig):
    name = "auth"
    label = "api_auth"  # "auth" is django.contrib.auth's label
    verbose_name = "API credentials"

    def ready(self) -> None:
        from auth import schema, signals  # noqa: F401  (OpenAPI scheme; user-deactivation revocation)
