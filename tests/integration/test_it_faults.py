"""Fault injection on real processes: uvicorn, the generation worker, the maintenance worker
(reaper, outbox relay) and beat, on real Postgres and Redis.

The web process reaches Postgres, Redis and its broker through TCP proxies (tests/integration/
faults.py) that the tests cut and restore; the shared services are never stopped. After every
fault each job must end completed, failed or cancelled with its credits settled exactly once
(one capture or one release in the ledger) and nothing held. Each test prints what it measured
(a JSON line: seconds to recover).
"""

import json
import os
import signal
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
import redis
from django.conf import settings
from django.db import connection

from .client import AppUser, register
from .faults import TcpProxy
from .stack import (
    Stack,
    base_env,
    beat_args,
    free_port,
    maintenance_args,
    server_args,
    spawn,
    wait_healthy,
    worker_args,
)

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

TERMINAL = {"completed", "failed", "cancelled", "blocked"}
# Short clocks, so each fault settles in seconds (production defaults: README). A heartbeat
# comes with each progress step; on a busy 2-core machine steps took over 10 s apart, so a
# shorter staleness would reap live runs (they stop quietly, but each spends an attempt).
FAST_CLOCKS = {"GENERATION_STALE_AFTER_S": "30", "GENERATION_REAP_INTERVAL_S": "2",
               "GENERATION_CANCEL_SETTLE_AFTER_S": "3", "GENERATION_REQUEUE_AFTER_S": "30",
               "OUTBOX_RELAY_INTERVAL_S": "2", "OUTBOX_RELAY_AFTER_S": "1",
               "DB_POOL_MAX": "4"}


@dataclass
class FaultStack:
    stack: Stack
    postgres: TcpProxy  # the web process's Postgres
    redis: TcpProxy  # every process's Redis (cache, channel layer, broker, results)
    broker: TcpProxy  # the web process's broker only (BROKER_URL)
    worker_env: dict[str, str]
    worker: subprocess.Popen[bytes] | None = None
    maintenance: subprocess.Popen[bytes] | None = None

    def start_worker(self, name: str) -> None:
        self.worker = spawn(self.stack, name, worker_args(concurrency=2), self.worker_env)

    def start_maintenance(self, name: str) -> None:
        self.maintenance = spawn(self.stack, name, maintenance_args(),
                                 {**self.worker_env, "GENERATION_WARM_ON_START": "0"})

    def restart_exited(self) -> int:
        """What scripts/run.sh's supervise does: start again a Celery process that exited."""
        restarted = 0
        if self.worker is not None and self.worker.poll() is not None:
            self.start_worker(f"worker-restarted-{time.monotonic():.0f}")
            restarted += 1
        if self.maintenance is not None and self.maintenance.poll() is not None:
            self.start_maintenance(f"maintenance-restarted-{time.monotonic():.0f}")
            restarted += 1
        return restarted


@pytest.fixture(scope="module")
def faults(services_checked: None, django_db_setup: None,
           django_db_blocker: object) -> Iterator[FaultStack]:
    db = settings.DATABASES["default"]
    pg = TcpProxy(db["HOST"] or "127.0.0.1", int(db["PORT"] or 5432))
    redis_url = urlsplit(settings.REDIS_URL)
    redis_proxy = TcpProxy(redis_url.hostname or "127.0.0.1", redis_url.port or 6379)
    broker_proxy = TcpProxy(redis_url.hostname or "127.0.0.1", redis_url.port or 6379)
    # A Redis db of its own: the session's other stacks must not take these jobs.
    redis_db = os.environ.get("TEST_FAULTS_REDIS_DB", "13")
    redis.Redis(host=redis_url.hostname, port=redis_url.port or 6379, db=int(redis_db)).flushdb()
    test_db = connection.settings_dict["NAME"]
    credentials = f"{db['USER']}:{db.get('PASSWORD') or ''}"
    common = {**FAST_CLOCKS, "DATA_DIR": str(settings.DATA_DIR),
              "REDIS_URL": f"redis://127.0.0.1:{redis_proxy.port}/{redis_db}"}
    worker_env = base_env(**common, DATABASE_URL=f"postgres://{credentials}@{db['HOST']}:"
                                                 f"{db['PORT']}/{test_db}")
    web_env = base_env(**common, DATABASE_URL=f"postgres://{credentials}@127.0.0.1:{pg.port}/"
                                              f"{test_db}",
                       BROKER_URL=f"redis://127.0.0.1:{broker_proxy.port}/{redis_db}")
    port = free_port()
    log_dir = Path(tempfile.mkdtemp(prefix="castline-faults-"))
    stack = Stack(base_url=f"http://127.0.0.1:{port}", log_dir=log_dir, env=web_env)
    fault_stack = FaultStack(stack, pg, redis_proxy, broker_proxy, worker_env)
    spawn(stack, "server", server_args(port))
    fault_stack.start_worker("worker")
    fault_stack.start_maintenance("maintenance")
    spawn(stack, "beat", beat_args(log_dir), worker_env)
    try:
        wait_healthy(stack)
        yield fault_stack
    finally:
        stack.stop()
        for proxy in (pg, redis_proxy, broker_proxy):
            proxy.down()


def _user(faults: FaultStack) -> AppUser:
    return register(faults.stack.base_url, f"f_{uuid.uuid4().hex[:8]}")


def _status(user: AppUser, video_id: str) -> dict:
    return user.http.get(f"/api/v1/videos/{video_id}").json()


def _wait(user: AppUser, video_id: str, statuses: set[str], timeout: float, faults: FaultStack
          ) -> dict:
    deadline = time.monotonic() + timeout
    body: dict = {}
    while time.monotonic() < deadline:
        response = user.http.get(f"/api/v1/videos/{video_id}")
        if response.status_code == 200:
            body = response.json()
            if body["status"] in statuses:
                return body
        time.sleep(0.3)
    raise AssertionError(f"{video_id} still {body.get('status')} after {timeout}s\n"
                         f"{faults.stack.logs()}")


def _post_video(user: AppUser, prompt: str, seconds: int = 4, **headers: str) -> httpx.Response:
    return user.http.post("/api/v1/videos", json={"prompt": prompt, "seconds": seconds},
                          headers=headers)


def _assert_settled_once(user: AppUser, finals: dict[str, str]) -> None:
    """Every job terminal; per job exactly one capture (completed) or one release."""
    ledger = user.http.get("/api/v1/credits/ledger?page_size=100").json()["results"]
    for video_id, status in finals.items():
        kinds = [e["kind"] for e in ledger if e.get("reference") == f"job:{video_id}"]
        settled = ["capture"] if status == "completed" else ["release"]
        assert sorted(kinds) == sorted(["reserve", *settled]), (video_id, status, kinds)
    assert user.http.get("/api/v1/credits").json()["held"] == 0


def _measured(name: str, **figures: float) -> None:
    print(json.dumps({"fault": name, **{k: round(v, 2) for k, v in figures.items()}}))


def _in_progress(user: AppUser, video_id: str, faults: FaultStack) -> None:
    _wait(user, video_id, {"in_progress"}, 120, faults)


def test_broker_refuses_the_send(faults):
    """The web process cannot reach its broker (a hiccup on its path); the jobs it accepted
    are committed with their outbox rows, and the relay (the maintenance worker, whose path
    to the broker works) delivers them without the web process sending anything."""
    from core.models import OutboxMessage

    user = _user(faults)
    faults.broker.down()
    try:
        started = time.monotonic()
        first = _post_video(user, "a paper boat", **{"Idempotency-Key": "boat"})
        answered = time.monotonic() - started
        assert first.status_code == 202, first.text
        retry = _post_video(user, "a paper boat", **{"Idempotency-Key": "boat"})
        assert retry.status_code == 202 and retry.json()["id"] == first.json()["id"]
        assert retry.headers["Idempotent-Replayed"] == "true"
        second = _post_video(user, "a second boat")
        assert second.status_code == 202, second.text
        ids = [first.json()["id"], second.json()["id"]]
        refused = OutboxMessage.objects.get(args=[ids[0]])
        assert refused.last_error.startswith("OperationalError"), refused.last_error
        started_at = {i: _wait(user, i, {"in_progress", *TERMINAL}, 120, faults) and
                      time.monotonic() - started for i in ids}
        finals = {i: _wait(user, i, TERMINAL, 180, faults)["status"] for i in ids}
    finally:
        faults.broker.up()
    assert set(finals.values()) == {"completed"}, finals
    _assert_settled_once(user, finals)
    relayed = OutboxMessage.objects.get(pk=refused.pk)
    assert relayed.sent_at is not None and relayed.attempts >= 2
    _measured("broker_refuses_send", answer_s=answered,
              relayed_after_s=(relayed.sent_at - relayed.created_at).total_seconds(),
              first_job_started_s=started_at[ids[0]], second_job_started_s=started_at[ids[1]],
              both_completed_s=time.monotonic() - started)


def test_worker_killed_mid_job(faults):
    user = _user(faults)
    cancelled, retried = (_post_video(user, p, seconds=8).json()["id"]
                          for p in ("to be cancelled", "to be retried"))
    _in_progress(user, cancelled, faults)
    _in_progress(user, retried, faults)
    worker = faults.worker
    assert worker is not None
    os.killpg(worker.pid, signal.SIGKILL)  # the worker and its pool children, no goodbye
    worker.wait()
    killed = time.monotonic()
    assert user.http.post(f"/api/v1/videos/{cancelled}/cancel").status_code == 202
    final = _wait(user, cancelled, TERMINAL, 20, faults)  # before any worker is back
    cancel_s = time.monotonic() - killed
    assert final["status"] == "cancelled"
    faults.start_worker("worker-2")
    final_retried = _wait(user, retried, TERMINAL, 240, faults)
    assert final_retried["status"] in {"completed", "failed"}
    if final_retried["status"] == "failed":
        assert final_retried["error"]["code"] == "generation.worker_lost"
    _assert_settled_once(user, {cancelled: "cancelled", retried: final_retried["status"]})
    # its pool children loaded the model at start, slower than Celery's default 4 s wait
    assert "Timed out waiting for UP message" not in (
        faults.stack.log_dir / "worker-2.log").read_text()
    _measured("worker_killed", cancel_settled_s=cancel_s,
              retried_job_ended_s=time.monotonic() - killed)


def test_postgres_connections_cut_mid_job(faults):
    user = _user(faults)
    video_id = _post_video(user, "a lighthouse in fog", seconds=8).json()["id"]
    _in_progress(user, video_id, faults)
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                       "WHERE datname = current_database() AND pid <> pg_backend_pid()")
        cut = cursor.fetchone()[0]
    assert cut >= 2  # the web process's and the worker's at least
    # The cut also killed this process's idle pooled connections. psycopg_pool checks dead
    # ones one at a time with a back-off (1 s, then 2 s), so with three or more of them the
    # next test's first query waited out the 3 s pool timeout (CI, full runs only): this
    # process starts a fresh pool. The servers' pools recover on their own (503s meanwhile).
    connection.close()
    connection.close_pool()  # type: ignore[attr-defined]  # the Postgres wrapper's
    cut_at = time.monotonic()
    answers = [user.http.get(f"/api/v1/videos/{video_id}").status_code for _ in range(3)]
    assert set(answers) <= {200, 503}, answers  # a dead pooled connection is never a 500
    final = _wait(user, video_id, TERMINAL, 240, faults)
    assert final["status"] in {"completed", "failed"}
    _assert_settled_once(user, {video_id: final["status"]})
    _measured("postgres_connections_cut", connections_cut=cut,
              job_ended_s=time.monotonic() - cut_at)


def _wait_supervised(faults: FaultStack, user: AppUser, video_id: str, restarts: list[int],
                     timeout: float = 240) -> dict:
    """Wait for a job to end, restarting a worker that exits, as scripts/run.sh does: kombu's
    Redis transport can stop a worker that lost its connection (it fails restoring unacked
    messages: "Unrecoverable error ... 'hostname'"), some seconds after the loss."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        restarts.append(faults.restart_exited())
        body = _status(user, video_id)
        if body["status"] in TERMINAL:
            return body
        time.sleep(0.5)
    raise AssertionError(f"{video_id} not done after {timeout}s\n{faults.stack.logs()}")


def test_redis_unreachable(faults):
    user = _user(faults)
    running = _post_video(user, "a kite over dunes", seconds=8).json()["id"]
    _in_progress(user, running, faults)
    faults.redis.down()
    try:
        started = time.monotonic()
        listing = user.http.get("/api/v1/videos")
        read_s = time.monotonic() - started
        assert listing.status_code == 200  # reads need no Redis: the rate limit fails open
        started = time.monotonic()
        refused = _post_video(user, "while redis is down")
        write_s = time.monotonic() - started
        assert refused.status_code == 503, refused.text
        assert refused.json()["error"]["code"] == "service.unavailable"
        assert int(refused.headers["Retry-After"]) > 0
        started = time.monotonic()
        health = httpx.get(f"{faults.stack.base_url}/healthz", timeout=15)
        health_s = time.monotonic() - started
        assert health.status_code == 503
        checks = health.json()["checks"]
        # the web's broker is its own proxy here (BROKER_URL); the channel layer is Redis
        assert checks["database"] == "ok" and checks["channel_layer"] != "ok", checks
        assert max(read_s, write_s) < 3 and health_s < 8, (read_s, write_s, health_s)
    finally:
        faults.redis.up()
    back = time.monotonic()
    restarts: list[int] = []
    final = _wait_supervised(faults, user, running, restarts)
    assert final["status"] in {"completed", "failed"}
    after = _post_video(user, "after redis is back")
    assert after.status_code == 202, after.text
    final_after = _wait_supervised(faults, user, after.json()["id"], restarts)
    assert final_after["status"] == "completed"
    _assert_settled_once(user, {running: final["status"], after.json()["id"]: "completed"})
    _measured("redis_unreachable", worker_restarts=sum(restarts), read_s=read_s,
              write_503_s=write_s, healthz_s=health_s,
              new_job_completed_after_redis_back_s=time.monotonic() - back)


def test_postgres_unreachable_is_a_fast_503(faults):
    user = _user(faults)
    faults.postgres.down()
    try:
        started = time.monotonic()
        response = user.http.get("/api/v1/videos")
        answer_s = time.monotonic() - started
        started = time.monotonic()
        health = httpx.get(f"{faults.stack.base_url}/healthz", timeout=15)
        health_s = time.monotonic() - started
    finally:
        faults.postgres.up()
    assert response.status_code == 503, response.text
    assert response.json()["error"]["code"] == "service.unavailable"
    assert int(response.headers["Retry-After"]) > 0
    assert answer_s < 6, answer_s
    assert health.status_code == 503 and health.json()["checks"]["database"] != "ok"
    assert health_s < 8, health_s
    assert user.http.get("/api/v1/videos").status_code == 200  # back at once
    _measured("postgres_unreachable", answer_s=answer_s, healthz_s=health_s)


def test_a_second_beat_is_refused(faults):
    second = spawn(faults.stack, "beat-2", beat_args(faults.stack.log_dir), faults.worker_env)
    assert second.wait(timeout=60) != 0  # the pidfile is held by the running beat
    assert "pidfile" in (faults.stack.log_dir / "beat-2.log").read_text().lower()
