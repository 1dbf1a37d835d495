from django.apps import AppConfig


class RateLimitConfig(AppConfig):
    name = "ratelimit"
    label = "api_ratelimit"  # "ratelimit" is django-ratelimit's
    verbose_name = "Rate limits"

    def ready(self) -> None:
        from ratelimit import signals  # noqa: F401  (mirrors overrides into Redis)
