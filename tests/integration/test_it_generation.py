"""Generation through real processes: HTTP in, a real Celery worker, events over websockets,
Postgres and Redis; plus a worker killed mid-job."""

import os
import signal
import tempfile
import time
import uuid
from pathlib import Path

import httpx
import pytest
from django.conf import settings
from django.db import connection

from generation.media import probe

from .client import AppUser, next_event, register
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


def _user(stack: Stack) -> AppUser:
    return register(stack.base_url, f"gen_{uuid.uuid4().hex[:8]}")


def _wait_status(user: AppUser, video_id: str, statuses: set[str], timeout: float = 180
                 ) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        body = user.http.get(f"/api/v1/videos/{video_id}").json()
        if body["status"] in statuses:
            return body
        time.sleep(0.3)
    raise AssertionError(f"video {video_id} still {body['status']} after {timeout}s")


def _credits(user: AppUser) -> dict:
    return user.http.get("/api/v1/credits").json()


def test_job_end_to_end_with_live_progress(services_stack):
    user = _user(services_stack)
    before = _credits(user)["total"]
    with user.websocket(services_stack.ws_url) as ws:
        response = user.http.post("/api/v1/videos", json={
            "prompt": "a paper boat on a rainy street", "seconds": 8, "aspect_ratio": "16:9"})
        assert response.status_code == 202, response.text
        job = response.json()
        progress = []
        while True:
            event = next_event(ws, timeout=120)
            if event["type"] == "generation.progress":
                progress.append(event)
            if event["type"] in ("generation.completed", "generation.failed"):
                break
    assert event["type"] == "generation.completed", (event, services_stack.logs())
    assert progress, "no progress events"
    fractions = [e["payload"]["progress"] for e in progress]
    assert fractions == sorted(fractions)
    body = user.http.get(f"/api/v1/videos/{job['id']}").json()
    assert body["status"] == "completed"
    video = user.http.get(body["content"]["video"])
    assert video.status_code == 200
    path = Path(tempfile.mkdtemp()) / "out.mp4"
    path.write_bytes(video.content)
    info = probe(path)
    assert (info.width, info.height) == (854, 480)
    assert info.duration == pytest.approx(8, abs=0.1) and info.fps == pytest.approx(24)
    assert info.audio_duration == pytest.approx(info.duration, abs=0.07)
    assert _credits(user)["total"] == before - job["cost"]


def test_cancel_while_running_releases_credits(services_stack):
    user = _user(services_stack)
    before = _credits(user)["total"]
    job = user.http.post("/api/v1/videos", json={
        "prompt": "a long slow pan over mountains", "seconds": 20,
        "resolution": "720p"}).json()
    _wait_status(user, job["id"], {"in_progress"})
    response = user.http.post(f"/api/v1/videos/{job['id']}/cancel")
    assert response.status_code == 202
    final = _wait_status(user, job["id"], {"cancelled", "completed", "failed"})
    assert final["status"] == "cancelled"
    assert _credits(user)["total"] == before
    assert user.http.get(f"/api/v1/videos/{job['id']}/content").status_code == 409


def test_no_credits_and_blocked_prompt_make_no_job(services_stack):
    user = _user(services_stack)
    blocked = user.http.post("/api/v1/videos", json={"prompt": "a n u d e person"})
    assert blocked.status_code == 422
    assert blocked.json()["error"]["code"] == "moderation.prompt_blocked"
    from billing.facade import credits_reserve
    user_id = user.http.get("/api/v1/me").json()["id"]
    credits_reserve(user_id=user_id, amount=_credits(user)["total"] - 2, reference="it:drain",
                    reason="spent elsewhere")
    total = _credits(user)["total"]
    too_much = user.http.post("/api/v1/videos", json={"prompt": "a calm lake", "seconds": 4})
    assert too_much.status_code == 402
    assert too_much.json()["error"]["code"] == "billing.insufficient_credits"
    assert user.http.get("/api/v1/videos").json()["results"] == []
    assert _credits(user)["total"] == total


@pytest.fixture
def killable_stack(services_stack):
    """A server and worker of their own (own Redis db) so the test can kill the worker."""
    db = settings.DATABASES["default"]
    url = (f"postgres://{db['USER']}:{db.get('PASSWORD') or ''}@{db['HOST']}:{db['PORT']}/"
           f"{connection.settings_dict['NAME']}")
    redis_url = settings.REDIS_URL.rsplit("/", 1)[0] + "/14"
    port = free_port()
    stack = Stack(base_url=f"http://127.0.0.1:{port}",
                  log_dir=Path(tempfile.mkdtemp(prefix="castline-kill-")),
                  env=base_env(DATABASE_URL=url, REDIS_URL=redis_url,
                               DATA_DIR=str(settings.DATA_DIR), GENERATION_STALE_AFTER_S="6",
                               GENERATION_REAP_INTERVAL_S="2"))
    import redis
    redis.Redis.from_url(redis_url).flushdb()
    spawn(stack, "server", server_args(port))
    spawn(stack, "worker-1", worker_args(concurrency=1))
    wait_healthy(stack)
    yield stack
    stack.stop()


def test_worker_killed_mid_job_is_retried_never_stuck(killable_stack):
    stack = killable_stack
    user = _user(stack)
    before = _credits(user)["total"]
    job = user.http.post("/api/v1/videos", json={"prompt": "city lights", "seconds": 20,
                                                 "resolution": "720p"}).json()
    _wait_status(user, job["id"], {"in_progress"})
    worker = stack.processes[1]
    os.killpg(worker.pid, signal.SIGKILL)  # the worker and its pool child, no goodbye
    worker.wait()
    assert user.http.get(f"/api/v1/videos/{job['id']}").json()["status"] == "in_progress"
    # A new worker, and the reaper (its own worker and beat) finds the stale job and gives
    # it another go.
    spawn(stack, "worker-2", worker_args(concurrency=1))
    spawn(stack, "maintenance", maintenance_args())
    spawn(stack, "beat", beat_args(stack.log_dir))
    final = _wait_status(user, job["id"], {"completed", "failed"}, timeout=240)
    credits = _credits(user)
    if final["status"] == "completed":
        assert credits["total"] == before - job["cost"]
    else:
        assert final["error"]["code"] == "generation.worker_lost"
        assert credits["total"] == before
    assert credits["held"] == 0
    ledger = user.http.get("/api/v1/credits/ledger?page_size=100").json()["results"]
    kinds = [entry["kind"] for entry in ledger]
    assert kinds.count("capture") + kinds.count("release") == 1, kinds


def test_same_task_delivered_twice_stores_once(services_stack):
    from config.celery import app as celery_app
    user = _user(services_stack)
    job = user.http.post("/api/v1/videos", json={"prompt": "twice", "seconds": 4}).json()
    celery_app.send_task("generation.tasks.generate_video", args=[job["id"]],
                         queue="generation")
    final = _wait_status(user, job["id"], {"completed", "failed"})
    assert final["status"] == "completed"
    time.sleep(2)
    ledger = user.http.get("/api/v1/credits/ledger?page_size=100").json()["results"]
    assert [e["kind"] for e in ledger].count("capture") == 1


def test_verify_endpoint_on_a_real_file(services_stack):
    user = _user(services_stack)
    job = user.http.post("/api/v1/videos", json={"prompt": "a lighthouse", "seconds": 4}).json()
    _wait_status(user, job["id"], {"completed"})
    data = user.http.get(f"/api/v1/videos/{job['id']}/content").content
    report = httpx.post(f"{services_stack.base_url}/api/v1/provenance/verify",
                        files={"file": ("clip.mp4", data, "video/mp4")}, timeout=120).json()
    assert report["c2pa"]["present"] and report["c2pa"]["valid"] and report["c2pa"]["trusted"]
    assert report["watermark"]["found"], report
    assert report["watermark"]["generation"]["video_id"] == job["id"]
    junk = httpx.post(f"{services_stack.base_url}/api/v1/provenance/verify",
                      files={"file": ("x.mp4", b"not a video", "video/mp4")}, timeout=30)
    assert junk.status_code == 400
    assert junk.json()["error"]["code"] == "provenance.unreadable"


def test_embedded_mode_generates_with_live_events(embedded_stack):
    """The README's run command alone (SQLite, filesystem broker, DB-tailed events)."""
    user = _user(embedded_stack)
    with user.websocket(embedded_stack.ws_url) as ws:
        job = user.http.post("/api/v1/videos", json={"prompt": "a kite over dunes",
                                                     "seconds": 4}).json()
        types = []
        while not types or types[-1] not in ("generation.completed", "generation.failed"):
            types.append(next_event(ws, timeout=180)["type"])
    assert types[-1] == "generation.completed", (types, embedded_stack.logs())
    assert "generation.progress" in types
    body = user.http.get(f"/api/v1/videos/{job['id']}").json()
    assert body["status"] == "completed"
    assert user.http.get(body["content"]["thumbnail"]).headers["content-type"] == "image/jpeg"
