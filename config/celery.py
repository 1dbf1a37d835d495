"""The Celery application: the broker and beat from Django settings (``CELERY_*``), the rest
from :mod:`config.celery_options`."""

import logging
import os
from typing import Any

import kombu
from celery import Celery, bootsteps, signals
from celery.app.amqp import AMQP

from config.celery_options import OPTIONS
from core.context import current_request_id, request_scope
from core.requestid import TASK_HEADER

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

logger = logging.getLogger("webhooks")
RETRY_INTERVALS = ("interval_start", "interval_step", "interval_max")


class BrokerConnection(kombu.Connection):
    """kombu's connection, except that ``ensure_connection`` (the worker's consumer reconnecting
    after the broker went away) waits as ``broker_transport_options`` say, not kombu's fixed
    2 s, 4 s, 6 s ... 30 s: kombu reads ``interval_*`` there only for publishing.
    """

    def ensure_connection(self, *args: Any, **kwargs: Any) -> Any:
        options, positional = self.transport_options or {}, ("errback", "max_retries", *RETRY_INTERVALS)[: len(args)]
        for name in RETRY_INTERVALS:
            if name in options and name not in positional:
                kwargs.setdefault(name, options[name])
        return super().ensure_connection(*args, **kwargs)


class BrokerAMQP(AMQP):
    Connection = BrokerConnection


class SweepOnConnect(bootsteps.StartStopStep):
    """Each time the worker's consumer connects to the broker (at start, and again after losing
    it), it enqueues a sweep: deliveries written while the broker was away go out as soon as
    it is back, not at beat's next sweep (``WEBHOOK_SWEEP_INTERVAL``) or with the next write.
    """

    requires = {"celery.worker.consumer.tasks:Tasks"}

    def start(self, parent: Any) -> None:
        from webhooks.tasks import deliveries_pump_task

        try:
            deliveries_pump_task.apply_async(kwargs={"sweep": True}, retry=False)
        except Exception as exc:  # the broker went away again: beat's sweep will do
            logger.warning("no sweep after connecting to the broker (%s)", type(exc).__name__)


app = Celery("apiservice", amqp=BrokerAMQP)
app.config_from_object("django.conf:settings", namespace="CELERY")
app.conf.update(OPTIONS)
app.autodiscover_tasks()
app.steps["consumer"].add(SweepOnConnect)


@app.on_configure.connect
def start_embedded_servers(sender: Celery, **kwargs: Any) -> None:
    """A worker or beat started on its own starts (or finds running) the embedded servers.

    Sent before Celery reads the settings. A process whose settings are already loaded
    (gunicorn, manage.py, the test session) was set up by its own entry point: starting
    anything here could bring back a Redis that a test stopped on purpose.
    """
    from django.conf import settings

    if not settings.configured:
        from devstack.embedded import bootstrap

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


@signals.setup_logging.connect
def use_django_logging(loglevel: int | None = None, **kwargs: Any) -> None:
    """Workers and beat log through Django's LOGGING (format, request ids, masking), not Celery's own.

    ``--loglevel`` still sets the level: ``celery beat --loglevel WARNING`` keeps beat quiet.
    """
    import logging.config

    from django.conf import settings

    logging.config.dictConfig(settings.LOGGING)
    if loglevel:
        logging.getLogger().setLevel(loglevel)


@signals.before_task_publish.connect
def carry_request_id(headers: dict[str, Any] | None = None, **kwargs: Any) -> None:
    """A task enqueued while serving a request carries the request's id in a message header."""
    request_id = current_request_id()
    if request_id is not None and headers is not None:
        headers.setdefault(TASK_HEADER, request_id)


_task_contexts: dict[str, Any] = {}


@signals.task_prerun.connect
def enter_request_id(task_id: str | None = None, task: Any = None, **kwargs: Any) -> None:
    """The task's log lines (and the tasks it enqueues) carry the id: the request's, or the task's own."""
    if task_id is None or task is None:
        return
    context = request_scope(getattr(task.request, TASK_HEADER, None) or task_id)
    context.__enter__()
    _task_contexts[task_id] = context


@signals.task_postrun.connect
def leave_request_id(task_id: str | None = None, **kwargs: Any) -> None:
    context = _task_contexts.pop(task_id or "", None)
    if context is not None:
        context.__exit__(None, None, None)
