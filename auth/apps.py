from django.apps import AppConfig
from django.db.models.signals import post_migrate


class AuthConfig(AppConfig):
    name = "auth"
    label = "api_auth"  # "auth" is django.contrib.auth's label
    verbose_name = "API credentials"

    def ready(self) -> None:
        from auth import schema, signals  # noqa: F401  (OpenAPI scheme; user-deactivation revocation)
        from auth.oauth.docs_client import ensure_docs_client

        post_migrate.connect(ensure_docs_client, sender=self, dispatch_uid="auth.docs_client")
