from django.apps import AppConfig


class RateLimitConfig(AppConfig):
    name = "ratelimit"
    label = "api_ratelimit"  # "ratelimit" is django-ratelimit's
    verbose_name = "Rate limits"
