"""The Celery application; configuration comes from Django settings (``CELERY_*``)."""

import os
from typing import Any

from celery import Celery, signals

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "apiservice.settings")

app = Celery("apiservice")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.on_configure.connect
def start_embedded_servers(sender: Celery, **kwargs: Any) -> None:
    """A worker or beat started on its own starts (or finds running) the embedded servers.

    Sent before Celery reads the settings. A process whose settings are already loaded
    (gunicorn, manage.py, the test session) was set up by its own entry point: starting
    anything here could bring back a Redis that a test stopped on purpose.
    """
    from django.conf import settings

    if not settings.configured:
        from apiservice.embedded import bootstrap

        bootstrap()


@signals.worker_init.connect
def refuse_serious_check_errors(sender: Any = None, **kwargs: Any) -> None:
    """The worker refuses to start on a serious ``apiservice`` system check (a missing signing key).

    Celery logs and swallows an ``Exception`` raised by a signal handler, hence SystemExit.
    """
    from django.core.checks import run_checks

    serious = [m for m in run_checks(tags=["apiservice"]) if m.is_serious() and not m.is_silenced()]
    if serious:
        raise SystemExit("refusing to start: " + "; ".join(str(message) for message in serious))
