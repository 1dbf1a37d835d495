from django.apps import AppConfig


class ConfigConfig(AppConfig):
    """The wiring as an app only so that ``manage.py prune`` (which names several apps) is found."""

    name = "config"
    label = "config"
    verbose_name = "Wiring"
