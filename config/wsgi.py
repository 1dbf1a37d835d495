"""WSGI entry point for gunicorn: ``gunicorn config.wsgi``."""

import os

from django.core.checks import run_checks
from django.core.exceptions import ImproperlyConfigured
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

application = get_wsgi_application()

# Refuse to serve on a serious `apiservice` system check (a missing signing key, say):
# gunicorn runs no checks of its own, and a worker that boots would answer with 500s.
_serious = [m for m in run_checks(tags=["apiservice"]) if m.is_serious() and not m.is_silenced()]
if _serious:
    raise ImproperlyConfigured("refusing to start: " + "; ".join(str(message) for message in _serious))
