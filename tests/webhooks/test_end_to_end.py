"""Real Celery workers, real Redis, a real receiver: nothing lost, at least once, same ids."""

import os
import signal
import subprocess
import sys
import time

import pytest
from django.conf import settings

from devstack import embedded
from tests.conftest import ROOT, service_env
from tests.webhooks.conftest import docs_snippet, parsed
from webhooks.models import Delivery, Subscription

pytestmark = pytest.mark.slow


class Worker:
    """A Celery worker with beat (``-B``) on the test database and Redis.

    Beat keeps its schedule in memory (``celery.beat:Scheduler``), not in a ``shelve`` file:
    on Python 3.13 that file is SQLite, and a beat killed with SIGKILL could leave it so that
    the next beat to open it failed (``dbm.sqlite3.error: locking protocol``) and swept
    nothing. These workers only need the sweep every second, from the moment they start.
    """

    def __init__(self, tmp_path, **env):
        self.log_path = tmp_path / f"worker-{time.monotonic_ns()}.log"
        self.log = open(self.log_path, "w+")  # noqa: SIM115
        extra = {"WEBHOOK_ALLOWED_NETWORKS": "127.0.0.0/8", "WEBHOOK_RETRY_SCHEDULE": "1,1,1,1",
                 "WEBHOOK_SWEEP_INTERVAL": "1", "WEBHOOK_LEASE_SECONDS": "3"} | env  # fmt: skip
        self.process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "config", "worker", "-B", "--pool", "solo", "--loglevel", "INFO",
             "--scheduler", "celery.beat:Scheduler",  # in memory (the docstring says why)
             "--without-heartbeat", "--without-gossip", "--without-mingle"],
            cwd=ROOT, env=service_env(**extra), stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
        deadline = time.monotonic() + 60
        while "ready." not in self.output():
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(self.output()[-3000:])
            time.sleep(0.2)

    def output(self):
        self.log.flush()
        return self.log_path.read_text()

    def kill(self, sig=signal.SIGKILL):
        if self.process.poll() is None:
            os.killpg(self.process.pid, sig)
            self.process.wait(30)


@pytest.fixture
def workers(tmp_path, transactional_db):
    started = []

    def start(**env):
        worker = Worker(tmp_path, **env)
        started.append(worker)
        return worker

    yield start
    for worker in started:
        worker.kill(signal.SIGTERM)
    # pytest shows a test's teardown output only when it failed: then these say what the workers saw.
    for number, worker in enumerate(started, 1):
        print(f"--- worker {number} of {len(started)}, the end of its log ---\n{worker.output()[-8000:]}")
    print("--- deliveries ---", *Delivery.objects.values(), sep="\n")


@pytest.fixture
def alice(transactional_db, django_user_model, receiver, make_key):
    user = django_user_model.objects.create_user("alice")
    key = make_key(user, name="e2e").secret
    Subscription.objects.create(user=user, url=receiver.url, events=["repo:create", "ssh-key:add"])
    return {"HTTP_AUTHORIZATION": f"token {key}"}


def published_keys(api_client):
    return [key["public_key"] for key in api_client.get("/api/v1/webhooks/keys").json()["keys"]]


def test_a_change_reaches_the_receiver_signed(api_client, alice, receiver, workers):
    workers()
    response = api_client.post("/api/v1/repos", {"name": "hello"}, format="json", **alice)
    assert response.status_code == 201
    (request,) = receiver.wait_for(1)
    snippet, keys = docs_snippet(), published_keys(api_client)
    assert snippet["verify_sourcehut"](request["headers"], request["body"], keys)
    assert snippet["verify_standard"](request["headers"], request["body"], keys)
    assert parsed(request) == response.json()
    deadline = time.monotonic() + 10
    while Delivery.objects.get().response_status != 200 and time.monotonic() < deadline:
        time.sleep(0.1)
    assert Delivery.objects.get().response_status == 200


def test_broker_down_at_commit_then_the_sweeper_delivers_exactly_what_committed(api_client, alice, receiver, workers):
    from django.db import transaction

    from resources.services.repos import repo_create

    workers()
    embedded.stop_redis(settings.VAR_DIR)
    try:
        assert api_client.post("/api/v1/repos", {"name": "during-outage"}, format="json", **alice).status_code == 201
        owner = Subscription.objects.get().user
        with pytest.raises(RuntimeError), transaction.atomic():
            repo_create(owner=owner, name="rolled-back", description="", visibility="public", ip=None)
            raise RuntimeError
        time.sleep(1)
        assert receiver.requests == []
    finally:
        embedded.ensure_redis(settings.VAR_DIR)
    (request,) = receiver.wait_for(1, timeout=45)
    assert parsed(request)["name"] == "during-outage"
    time.sleep(2)
    assert len(receiver.requests) == 1


def test_after_a_broker_outage_the_worker_reconnects_and_delivers_what_was_written_meanwhile(
    api_client, alice, receiver, workers
):
    """Beat's sweep every hour here: what brings the outage's delivery is the worker's sweep on
    reconnecting (config.celery.SweepOnConnect), which it does on the broker's retry schedule."""
    worker = workers(WEBHOOK_SWEEP_INTERVAL="3600")
    embedded.stop_redis(settings.VAR_DIR)
    try:
        assert api_client.post("/api/v1/repos", {"name": "during"}, format="json", **alice).status_code == 201
        deadline = time.monotonic() + 30
        while worker.output().count("Trying again now") < 2 and time.monotonic() < deadline:
            time.sleep(0.1)  # the worker lost the broker and retries it (Celery says "now" below a second)
        assert receiver.requests == []
    finally:
        embedded.ensure_redis(settings.VAR_DIR)
    (request,) = receiver.wait_for(1, timeout=30)
    assert parsed(request)["name"] == "during"
    output = worker.output()
    assert output.count("Trying again now") >= 2 and "Trying again in" not in output  # never waits a second or more
    assert "Connected to" in output.rsplit("Trying again", 1)[1]  # it reconnected after the outage
    time.sleep(2)
    assert len(receiver.requests) == 1 and Delivery.objects.get().response_status == 200


def test_beat_s_sweeps_are_debug_lines_and_a_write_s_task_is_not(api_client, alice, receiver, workers):
    worker = workers()  # beat sweeps every second
    assert api_client.post("/api/v1/repos", {"name": "logged"}, format="json", **alice).status_code == 201
    receiver.wait_for(1)
    deadline = time.monotonic() + 10
    while "succeeded" not in worker.output() and time.monotonic() < deadline:
        time.sleep(0.1)
    time.sleep(2.5)  # two sweeps or more
    lines = [line for line in worker.output().splitlines() if "deliveries_pump_task" in line]
    assert len([line for line in lines if "received" in line]) == 1  # the write's; the sweeps' are DEBUG
    assert len([line for line in lines if "succeeded" in line]) == 1
    assert "Sending due task webhooks-sweep" not in worker.output()


def test_a_worker_killed_mid_delivery_still_delivers_with_the_same_ids(api_client, alice, receiver, workers):
    receiver.script = [(200, b"slow", {}, 5)]
    first = workers()
    assert api_client.post("/api/v1/repos", {"name": "survivor"}, format="json", **alice).status_code == 201
    receiver.wait_for(1)
    first.kill()  # SIGKILL while the receiver is still answering
    workers()
    requests = receiver.wait_for(2, timeout=45)
    ids = {(r["headers"]["X-Webhook-Delivery"], r["headers"]["webhook-id"]) for r in requests}
    delivery = Delivery.objects.get()
    assert ids == {(str(delivery.uuid), str(delivery.uuid))}
    deadline = time.monotonic() + 15
    while Delivery.objects.get().response_status != 200 and time.monotonic() < deadline:
        time.sleep(0.2)
    assert Delivery.objects.get().response_status == 200
