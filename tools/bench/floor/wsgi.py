"""The floor's WSGI entry point, set up at import as ``config.wsgi`` is, so that gunicorn's
``post_worker_init`` (``gc.freeze``) finds both applications loaded alike."""

import os

from django.core.wsgi import get_wsgi_application

# Forced, not setdefault: the bench process passes apiservice's settings to its children.
os.environ["DJANGO_SETTINGS_MODULE"] = "bench.floor.settings"
application = get_wsgi_application()
