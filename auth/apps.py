from django.apps import AppConfig


class AuthConfig(AppConfig):
    name = "auth"
    label = "api_auth"  # "auth" is django.contrib.auth's label
    verbose_name = "API credentials"

    def ready(self) -> None:
        from auth import signals  # noqa: F401  (connects the user-deactivation revocation)
