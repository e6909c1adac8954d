"""No job lost or stuck when a service drops (in process: a broker that refuses, a dead worker,
a run past its time limit). The same faults on real processes: tests/integration/test_it_faults.py.
"""

import os
import signal
import socket
import threading
import time
from collections.abc import Iterator
from datetime import timedelta

import pytest
from billiard.pool import soft_timeout_sighandler
from django.utils import timezone

from billing.models import LedgerEntry
from config.celery import app as celery_app
from core import outbox
from core.models import OutboxMessage
from core.outbox import outbox_relay
from core.periodic import periodic_claim
from generation.models import Video
from generation.pipeline import video_run
from generation.reaper import videos_reap
from generation.tasks import reap_stale_videos
from generation.transitions import video_transition

pytestmark = pytest.mark.django_db

VIDEOS = "/api/v1/videos"


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])  # nothing listens here once the socket closes


def _reset_broker_connections() -> None:
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


@pytest.fixture
def refusing_broker() -> Iterator[None]:
    """The real Celery client pointed at a Redis broker that refuses connections."""
    conf = celery_app.conf
    saved = conf.task_always_eager, conf.broker_url
    conf.task_always_eager = False
    conf.broker_url = f"redis://127.0.0.1:{_closed_port()}/0"
    _reset_broker_connections()
    try:
        yield
    finally:
        conf.task_always_eager, conf.broker_url = saved
        _reset_broker_connections()
        outbox._skip_sends_until = 0.0


def _ledger_kinds(user) -> list[str]:
    return list(LedgerEntry.objects.filter(account__user=user).values_list("kind", flat=True))


def test_broker_down_at_send_time_is_a_202_and_the_relay_delivers(
        ana, refusing_broker, django_capture_on_commit_callbacks):
    user, client = ana
    started = time.monotonic()
    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(VIDEOS, {"prompt": "a paper boat", "seconds": 4}, format="json",
                            HTTP_IDEMPOTENCY_KEY="boat-1")
    assert first.status_code == 202, first.content
    assert time.monotonic() - started < 5
    with django_capture_on_commit_callbacks(execute=True):
        retry = client.post(VIDEOS, {"prompt": "a paper boat", "seconds": 4}, format="json",
                            HTTP_IDEMPOTENCY_KEY="boat-1")
    assert retry.status_code == 202 and retry.json()["id"] == first.json()["id"]
    message = OutboxMessage.objects.get()
    assert message.sent_at is None and message.attempts == 1
    assert "OperationalError" in message.last_error
    assert Video.objects.get().status == Video.Status.QUEUED

    outbox_relay(older_than_s=0)  # the broker is still down: the row waits
    assert OutboxMessage.objects.get().sent_at is None

    celery_app.conf.task_always_eager = True  # the broker is back (eager: runs in place)
    assert outbox_relay(older_than_s=0) == 1
    video = Video.objects.get()
    assert video.status == Video.Status.COMPLETED
    assert OutboxMessage.objects.get().sent_at is not None
    assert _ledger_kinds(user).count("capture") == 1
    assert outbox_relay(older_than_s=0) == 0  # sent once


def test_a_job_the_broker_lost_is_sent_again_by_the_reaper(
        ana, settings, django_capture_on_commit_callbacks):
    user, client = ana
    job = client.post(VIDEOS, {"prompt": "a lost kite", "seconds": 4}, format="json").json()
    # The broker took the task and lost it: the row is sent, the job never started.
    OutboxMessage.objects.update(sent_at=timezone.now())
    long_ago = timezone.now() - timedelta(seconds=settings.GENERATION_REQUEUE_AFTER_S + 1)
    Video.objects.filter(pk=job["id"]).update(enqueued_at=long_ago)
    with django_capture_on_commit_callbacks(execute=True):
        assert videos_reap() == 1
    assert Video.objects.get(pk=job["id"]).status == Video.Status.COMPLETED
    assert _ledger_kinds(user).count("capture") == 1


def test_a_queued_job_sent_recently_or_parked_is_left_alone(ana, settings):
    _, client = ana
    job = client.post(VIDEOS, {"prompt": "fresh", "seconds": 4}, format="json").json()
    assert videos_reap() == 0
    long_ago = timezone.now() - timedelta(seconds=settings.GENERATION_REQUEUE_AFTER_S + 1)
    Video.objects.filter(pk=job["id"]).update(enqueued_at=long_ago, stage="awaiting_approval")
    assert videos_reap() == 0
    assert OutboxMessage.objects.count() == 1


def _running_with_dead_worker(video_id: str, heartbeat_age_s: float) -> None:
    video_transition(video_id=video_id, to=Video.Status.IN_PROGRESS, reason="worker started")
    Video.objects.filter(pk=video_id).update(
        run_token="dead-worker", attempts=1,
        heartbeat_at=timezone.now() - timedelta(seconds=heartbeat_age_s))


def test_cancel_of_a_job_whose_worker_died_settles_at_once(ana, settings):
    user, client = ana
    before = client.get("/api/v1/credits").json()["total"]
    job = client.post(VIDEOS, {"prompt": "orphan", "seconds": 4}, format="json").json()
    _running_with_dead_worker(job["id"], settings.GENERATION_CANCEL_SETTLE_AFTER_S + 1)
    response = client.post(f"{VIDEOS}/{job['id']}/cancel")
    assert response.status_code == 202
    assert response.json()["status"] == "cancelled"
    video = Video.objects.get(pk=job["id"])
    assert video.attempts == 1  # no retry spent on a job its owner stopped
    assert client.get("/api/v1/credits").json()["total"] == before
    assert _ledger_kinds(user).count("release") == 1


def test_cancel_of_a_live_job_waits_for_its_worker(ana):
    _, client = ana
    job = client.post(VIDEOS, {"prompt": "alive", "seconds": 4}, format="json").json()
    _running_with_dead_worker(job["id"], 0)  # a fresh heartbeat: the worker is alive
    response = client.post(f"{VIDEOS}/{job['id']}/cancel")
    assert response.json()["status"] == "in_progress"
    assert Video.objects.get(pk=job["id"]).cancel_requested


def test_reaper_cancels_a_stale_cancel_request_without_a_retry(ana, settings):
    user, client = ana
    job = client.post(VIDEOS, {"prompt": "stopped", "seconds": 4}, format="json").json()
    _running_with_dead_worker(job["id"], 0)
    client.post(f"{VIDEOS}/{job['id']}/cancel")
    Video.objects.filter(pk=job["id"]).update(heartbeat_at=timezone.now() - timedelta(
        seconds=settings.GENERATION_CANCEL_SETTLE_AFTER_S + 1))
    assert videos_reap() == 1
    video = Video.objects.get(pk=job["id"])
    assert video.status == Video.Status.CANCELLED and video.attempts == 1
    assert _ledger_kinds(user).count("release") == 1
    assert OutboxMessage.objects.count() == 1  # never queued again


def test_a_run_past_its_hard_time_limit_fails_with_credits_back(ana, settings):
    user, client = ana
    job = client.post(VIDEOS, {"prompt": "endless", "seconds": 4}, format="json").json()
    _running_with_dead_worker(job["id"], settings.GENERATION_CANCEL_SETTLE_AFTER_S + 1)
    Video.objects.filter(pk=job["id"]).update(started_at=timezone.now() - timedelta(
        seconds=settings.GENERATION_TIME_LIMIT_S + 120))
    assert videos_reap() == 1
    video = Video.objects.get(pk=job["id"])
    assert (video.status, video.error_code) == (Video.Status.FAILED, "generation.timed_out")
    assert _ledger_kinds(user).count("release") == 1


def test_generation_task_has_soft_and_hard_time_limits(settings):
    task = celery_app.tasks["generation.tasks.generate_video"]
    assert task.soft_time_limit == settings.GENERATION_SOFT_TIME_LIMIT_S
    assert task.time_limit > task.soft_time_limit
    # pool children loading the model get longer than Celery's default 4 s to come up
    assert celery_app.conf.worker_proc_alive_timeout == settings.CELERY_WORKER_PROC_ALIVE_TIMEOUT
    assert celery_app.conf.worker_proc_alive_timeout >= 60


def test_soft_time_limit_mid_run_fails_the_job_with_credits_back(ana):
    """The soft limit arrives as Celery delivers it in a pool child: a signal whose handler
    raises SoftTimeLimitExceeded wherever the run happens to be. (One that lands in a garbage
    collector's finalizer is swallowed by Python; the hard limit and the reaper cover that, so
    the test repeats the signal until the run has it.)"""
    user, client = ana
    before = client.get("/api/v1/credits").json()["total"]
    job = client.post(VIDEOS, {"prompt": "a very long pan", "seconds": 20}, format="json").json()
    previous = signal.signal(signal.SIGUSR1, soft_timeout_sighandler)
    running = threading.Event()
    running.set()

    def soft_limit_reached() -> None:
        time.sleep(1.0)
        while running.is_set():
            os.kill(os.getpid(), signal.SIGUSR1)
            time.sleep(0.5)

    threading.Thread(target=soft_limit_reached, daemon=True).start()
    try:
        status = video_run(video_id=job["id"])
    finally:
        signal.signal(signal.SIGUSR1, signal.SIG_IGN)  # a last signal in flight does nothing
        running.clear()
        time.sleep(0.6)
        signal.signal(signal.SIGUSR1, previous)
    assert status == Video.Status.FAILED
    video = Video.objects.get(pk=job["id"])
    assert (video.status, video.error_code) == (Video.Status.FAILED, "generation.timed_out")
    assert not video.video_file
    assert client.get("/api/v1/credits").json()["total"] == before
    assert _ledger_kinds(user).count("release") == 1


def test_a_doubled_schedule_does_the_work_once_per_period(ana, settings):
    _, client = ana
    job = client.post(VIDEOS, {"prompt": "twice", "seconds": 4}, format="json").json()
    _running_with_dead_worker(job["id"], settings.GENERATION_STALE_AFTER_S + 1)
    assert reap_stale_videos() == 1
    assert reap_stale_videos() == 0  # a second beat's send in the same period: nothing
    assert not periodic_claim(name="reap_stale_videos",
                              every_s=settings.GENERATION_REAP_INTERVAL_S)
