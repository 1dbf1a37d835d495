"""apiservice: a sourcehut-style developer API."""

from apiservice.celery import app as celery_app

__all__ = ["celery_app"]
