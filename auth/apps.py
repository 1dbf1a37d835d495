from django.apps import AppConfig


class AuthConfig(AppConfig):
    name = "auth"
    label = "api_auth"  # "auth" is django.contrib.auth's label
    verbose_name = "API credentials"
