"""gunicorn settings shared by `make run`, docker-compose and the benchmarks.

Sync workers: measured on a 2-core machine they were stable and fastest for this JSON
API; slow clients are the job of a buffering proxy (nginx) in front.

Logs: Django writes one access line per request (``apiservice.access``, with the request
id); gunicorn's own access line is kept in text mode (masked: ``?apiKey=***``) and off in
``LOG_FORMAT=json``, where gunicorn's error log is JSON too. ``GUNICORN_ACCESS_LOG`` (``-``
for stdout, a path, or ``off``) and ``GUNICORN_ACCESS_LOG_FORMAT`` override both.

Metrics: every worker writes its Prometheus samples under ``PROMETHEUS_MULTIPROC_DIR`` so
that ``/metrics`` adds them up; without one, a private directory is made here (and removed
on exit). The directory is emptied at start, and a dead worker's live gauges are dropped.
"""

import multiprocessing
import os
import shutil
import tempfile
from pathlib import Path

bind = os.environ.get("GUNICORN_BIND", f"127.0.0.1:{os.environ.get('PORT', '8000')}")
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
worker_class = "sync"
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
keepalive = 2
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "0"))
max_requests_jitter = max_requests // 10
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
# gunicorn 25.1+ opens a control socket for gunicornc, by default at one path per user
# ($XDG_RUNTIME_DIR/gunicorn.ctl or ~/.gunicorn/gunicorn.ctl) that every master on the
# machine claims in turn. Off, unless GUNICORN_CONTROL_SOCKET gives this one a path of its own.
_control_socket = os.environ.get("GUNICORN_CONTROL_SOCKET", "").strip()
if _control_socket:
    control_socket = _control_socket
control_socket_disable = not _control_socket

json_logs = os.environ.get("LOG_FORMAT", "text").strip().lower() == "json"
_access = os.environ.get("GUNICORN_ACCESS_LOG", "").strip() or ("off" if json_logs else "-")
accesslog = None if _access.lower() == "off" else _access
errorlog = "-"
logger_class = "core.gunicorn_logging." + ("JsonLogger" if json_logs else "MaskingLogger")
access_log_format = os.environ.get("GUNICORN_ACCESS_LOG_FORMAT", "").strip() or '%(h)s "%(r)s" %(s)s %(b)s %(M)sms'

# Read by prometheus_client when a worker imports it: set before any worker starts.
_metrics_dir = os.environ.get("PROMETHEUS_MULTIPROC_DIR", "").strip()
_own_metrics_dir = not _metrics_dir
if _own_metrics_dir:
    _metrics_dir = tempfile.mkdtemp(prefix="apiservice-metrics-")
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = _metrics_dir


def on_starting(server):
    """Samples left by an earlier run would be added to this one's: start from an empty directory."""
    path = Path(_metrics_dir)
    path.mkdir(parents=True, exist_ok=True)
    for stale in path.glob("*.db"):
        stale.unlink()


def post_worker_init(worker):
    """Move everything a worker has loaded out of the garbage collector's sight (``gc.freeze``).

    The modules, the URLconf and the views are never freed; left tracked, each full collection
    walks all ~150,000 of them (tens of milliseconds, about 30 us per request on average:
    ``bench.profile detail --gc`` with and without ``--freeze``). The URLconf is loaded first
    so that the views it imports are frozen too. Collections of what requests allocate run
    as before.
    """
    import gc

    from django.apps import apps

    if apps.ready:  # a Django application, set up when gunicorn loaded it (config.wsgi is)
        from django.urls import get_resolver

        get_resolver().url_patterns  # noqa: B018 - imports every view before the freeze
    gc.collect()
    gc.freeze()


def child_exit(server, worker):
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid, _metrics_dir)


def on_exit(server):
    if _own_metrics_dir:
        shutil.rmtree(_metrics_dir, ignore_errors=True)
