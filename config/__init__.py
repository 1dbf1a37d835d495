"""The wiring: settings, URLs, the WSGI and Celery applications, the API pipeline's order.

The top of the house: it may name every app; nothing imports it but the entry points."""

from config.celery import app as celery_app

__all__ = ["celery_app"]
