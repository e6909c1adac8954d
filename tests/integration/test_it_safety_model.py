"""The safety model stage in a real worker process: embedded mode of its own (SQLite, filesystem
broker, a fresh data directory, so no other stack's worker takes its jobs), the tiny scripted
guard loaded at worker start from MODERATION_SAFETY_MODEL_PATH."""

import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from moderation.tests import tiny_safety_models as tiny

from .client import AppUser, register
from .stack import ROOT, Stack, base_env, free_port, server_args, spawn, wait_healthy, worker_args

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

PROMPT = "the scene from last night at the old market square, told again"


def _stack(model_path: Path) -> Stack:
    data_dir = tempfile.mkdtemp(prefix="castline-guard-it-")
    port = free_port()
    stack = Stack(base_url=f"http://127.0.0.1:{port}",
                  log_dir=Path(tempfile.mkdtemp(prefix="castline-guard-it-logs-")),
                  env=base_env(DATA_DIR=data_dir, MODERATION_SAFETY_MODEL_PATH=str(model_path),
                               LOG_LEVEL="INFO"))
    # Set up without the model: a broken directory stops manage.py at its system check.
    setup_env = {k: v for k, v in stack.env.items() if k != "MODERATION_SAFETY_MODEL_PATH"}
    for command in (["migrate", "--no-input", "-v0"], ["castline_setup"]):
        subprocess.run([sys.executable, "manage.py", *command], cwd=ROOT, env=setup_env,
                       check=True, capture_output=True, timeout=300)
    spawn(stack, "worker", worker_args(concurrency=1))
    spawn(stack, "server", server_args(port))
    wait_healthy(stack, timeout=180)
    return stack


@pytest.fixture(scope="module")
def violent_stack(tmp_path_factory) -> Iterator[Stack]:
    stack = _stack(tiny.llama_guard(tmp_path_factory.mktemp("guard") / "violent",
                                    "unsafe\nS1,S9"))
    yield stack
    stack.stop()


@pytest.fixture(scope="module")
def broken_stack(tmp_path_factory) -> Iterator[Stack]:
    broken = tmp_path_factory.mktemp("broken")
    (broken / "config.json").write_text('{"model_type": "llama"}')  # no weights, no tokenizer
    stack = _stack(broken)
    yield stack
    stack.stop()


def _final(user: AppUser, video_id: str, timeout: float = 240) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        body = user.http.get(f"/api/v1/videos/{video_id}").json()
        if body["status"] in {"completed", "failed", "blocked", "cancelled"}:
            return body
        time.sleep(0.3)
    raise AssertionError(f"video {video_id} still {body['status']}")


def _job(stack: Stack) -> tuple[AppUser, int, dict]:
    user = register(stack.base_url, f"guard_{uuid.uuid4().hex[:8]}")
    before = user.http.get("/api/v1/credits").json()["total"]
    response = user.http.post("/api/v1/videos", json={"prompt": PROMPT, "seconds": 4})
    assert response.status_code == 202, response.text  # the lexicon let it through
    return user, before, _final(user, response.json()["id"])


def test_worker_blocks_what_the_model_flags_and_returns_credits(violent_stack):
    user, before, done = _job(violent_stack)
    assert done["status"] == "blocked", (done, violent_stack.logs())
    assert done["error"]["code"] == "SAFETY.INPUT.VIOLENCE"
    assert user.http.get("/api/v1/credits").json()["total"] == before
    assert "safety model loaded" in violent_stack.logs()


def test_broken_model_stops_manage_py_with_a_clear_error(broken_stack):
    checked = subprocess.run([sys.executable, "manage.py", "check"], cwd=ROOT,
                             env=broken_stack.env, capture_output=True, text=True, timeout=300)
    assert checked.returncode != 0
    assert "moderation.E003" in checked.stderr and "no weights" in checked.stderr


def test_broken_model_fails_jobs_closed_without_a_crash_loop(broken_stack):
    user, before, done = _job(broken_stack)
    assert done["status"] == "failed", (done, broken_stack.logs())
    assert done["error"]["code"] == "moderation.safety_model_unavailable"
    assert user.http.get("/api/v1/credits").json()["total"] == before
    _, _, again = _job(broken_stack)
    assert again["error"]["code"] == "moderation.safety_model_unavailable"
    assert all(process.poll() is None for process in broken_stack.processes)
    # Reported once per worker process, not once per job.
    assert broken_stack.logs().count("safety model unusable") == 1
