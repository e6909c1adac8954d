"""The official OpenAI SDKs, unchanged, against a real Castline: uvicorn + a Celery worker on
Postgres and Redis. Python's `openai` package and the `openai` npm package run by Node."""

import io
import json
import os
import shutil
import subprocess
import tempfile
import uuid
from pathlib import Path

import httpx
import openai
import pytest
from openai import OpenAI
from PIL import Image

from billing.facade import credits_balance, credits_reserve
from generation.media import probe

from .client import AppUser, register
from .stack import ROOT, Stack

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]
SDK_JS = ROOT / "tests" / "sdk_js"


def _account(stack: Stack) -> tuple[AppUser, str]:
    user = register(stack.base_url, f"sdk_{uuid.uuid4().hex[:8]}")
    response = user.http.post("/api/v1/api-keys", json={"name": "sdk test"})
    assert response.status_code == 201, response.text
    return user, response.json()["key"]


def _sdk(stack: Stack, key: str) -> OpenAI:
    return OpenAI(base_url=f"{stack.base_url}/v1", api_key=key, max_retries=0, timeout=60)


def _user_id(user: AppUser) -> int:
    return int(user.http.get("/api/v1/me").json()["id"])


def test_create_and_poll_sizes_lengths_and_every_download(services_stack):
    user, key = _account(services_stack)
    sdk = _sdk(services_stack, key)
    cases = [("1280x720", "4", "sora-2"), ("720x1280", "8", "sora-2"),
             ("1024x1792", "4", "sora-2-pro")]
    made = []
    for size, seconds, model in cases:
        video = sdk.videos.create_and_poll(prompt=f"a kite over dunes, {size}", size=size,
                                           seconds=seconds, model=model)
        assert video.status == "completed", (video, services_stack.logs())
        assert (video.size, video.seconds, video.model, video.progress) == \
            (size, seconds, model, 100)
        made.append(video)
    workdir = Path(tempfile.mkdtemp())
    for video in made:
        path = workdir / f"{video.id}.mp4"
        sdk.videos.download_content(video.id, variant="video").write_to_file(path)
        info = probe(path)
        assert f"{info.width}x{info.height}" == video.size
        assert info.duration == pytest.approx(int(video.seconds), abs=0.1)
    thumb = Image.open(io.BytesIO(sdk.videos.download_content(made[0].id,
                                                              variant="thumbnail").read()))
    sheet = Image.open(io.BytesIO(sdk.videos.download_content(made[0].id,
                                                              variant="spritesheet").read()))
    assert thumb.format == sheet.format == "JPEG"
    assert sheet.width / sheet.height == pytest.approx(1280 / 720, rel=0.03)
    # The app's door sees the same videos (one set of services).
    app_view = user.http.get(f"/api/v1/videos/{uuid.UUID(made[0].id.removeprefix('video_'))}")
    assert app_view.json()["status"] == "completed" and app_view.json()["width"] == 1280


def test_remix_list_both_orders_and_delete(services_stack):
    _, key = _account(services_stack)
    sdk = _sdk(services_stack, key)
    source = sdk.videos.create_and_poll(prompt="a red balloon", size="720x1280")
    assert source.status == "completed", services_stack.logs()
    remix = sdk.videos.remix(source.id, prompt="a blue balloon")
    assert remix.remixed_from_video_id == source.id and remix.status == "queued"
    remix = sdk.videos.poll(remix.id)
    assert remix.status == "completed" and remix.size == source.size
    extra = [sdk.videos.create(prompt=f"clip {n}").id for n in range(2)]
    ids = [source.id, remix.id, *extra]
    assert [v.id for v in sdk.videos.list(limit=1, order="asc")] == ids
    assert [v.id for v in sdk.videos.list(limit=3)] == ids[::-1]
    page = sdk.videos.list(limit=2, order="desc")
    assert page.has_more and page.last_id == ids[2] and page.first_id == ids[3]
    assert sdk.videos.delete(source.id).deleted is True
    with pytest.raises(openai.NotFoundError):
        sdk.videos.retrieve(source.id)
    assert source.id not in [v.id for v in sdk.videos.list()]


def test_every_error_class(services_stack):
    user, key = _account(services_stack)
    sdk = _sdk(services_stack, key)
    with pytest.raises(openai.BadRequestError) as bad:
        sdk.videos.create(prompt="a lake", size="1000x1000")
    assert bad.value.param == "size"
    with pytest.raises(openai.BadRequestError) as bad:
        sdk.videos.create(prompt="a lake", seconds="7")  # type: ignore[arg-type]
    assert bad.value.param == "seconds"
    with pytest.raises(openai.NotFoundError):
        sdk.videos.retrieve("video_" + "0" * 32)
    with pytest.raises(openai.AuthenticationError):
        _sdk(services_stack, "sk-cl-not-a-key").videos.list()
    theirs = sdk.videos.create(prompt="my own garden")
    _, other_key = _account(services_stack)
    other = _sdk(services_stack, other_key)
    with pytest.raises(openai.NotFoundError):
        other.videos.retrieve(theirs.id)
    with pytest.raises(openai.NotFoundError):
        other.videos.download_content(theirs.id)
    with pytest.raises(openai.BadRequestError) as blocked:
        sdk.videos.create(prompt="a nude woman on a beach")
    assert blocked.value.code == "moderation_blocked"
    assert "SAFETY.INPUT.SEXUAL" in blocked.value.body["reason_codes"]
    # Too little credit: spend the rest elsewhere, then ask for more.
    user_id = _user_id(user)
    credits_reserve(user_id=user_id, amount=credits_balance(user_id=user_id).total,
                    reference=f"test:{uuid.uuid4()}", reason="spent elsewhere")
    with pytest.raises(openai.RateLimitError) as broke:
        sdk.videos.create(prompt="a long pan", seconds="12")
    assert broke.value.code == "insufficient_quota"
    assert int(broke.value.response.headers["retry-after-ms"]) >= 1000
    revoked = user.http.get("/api/v1/api-keys").json()["results"][0]["id"]
    assert user.http.delete(f"/api/v1/api-keys/{revoked}").status_code == 204
    with pytest.raises(openai.AuthenticationError):
        sdk.videos.list()


def test_the_openai_npm_package_under_node(services_stack):
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        pytest.skip("node and npm are needed for the JavaScript SDK check")
    # Installed from the lock file into the project folder, from scratch, every run.
    shutil.rmtree(SDK_JS / "node_modules", ignore_errors=True)
    subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=SDK_JS, check=True,
                   capture_output=True, timeout=300)
    _, key = _account(services_stack)
    done = subprocess.run([node, "check.mjs"], cwd=SDK_JS, capture_output=True, text=True,
                          timeout=300, env={**os.environ, "CASTLINE_KEY": key,
                                            "CASTLINE_V1": f"{services_stack.base_url}/v1"})
    assert done.returncode == 0, (done.stderr, services_stack.logs())
    found = json.loads(done.stdout.strip().splitlines()[-1])
    assert found["created"] == {"id": found["created"]["id"], "status": "queued",
                                "size": "1280x720", "seconds": "4", "object": "video"}
    assert found["final"]["status"] == "completed" and found["final"]["progress"] == 100
    assert all(wait >= 1000 for wait in found["poll_waits"])
    assert found["listed"] == [found["created"]["id"]]
    assert found["video_ftyp"] == "ftyp" and found["video_bytes"] > 10_000
    assert found["thumbnail_jpeg"] and found["spritesheet_jpeg"]
    assert found["not_found"] == "NotFoundError"
    assert found["bad_size"] == "BadRequestError:size"
    assert found["bad_key"] == "AuthenticationError"


def test_v1_is_in_the_openapi_schema(services_stack):
    schema = httpx.get(f"{services_stack.base_url}/api/schema/?format=json", timeout=30).json()
    assert {"/v1/videos", "/v1/videos/{video_id}", "/v1/videos/{video_id}/content",
            "/v1/videos/{video_id}/remix", "/v1/models"} <= set(schema["paths"])


def test_webhook_delivery_unwraps_and_tampering_is_refused(services_stack):
    import threading
    import time
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    received: list[tuple[dict[str, str], str]] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"])).decode()
            received.append(({k.lower(): v for k, v in self.headers.items()}, body))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            return None

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        _, key = _account(services_stack)
        sdk = _sdk(services_stack, key)
        endpoint = sdk.webhooks.create(
            name="it", url=f"http://127.0.0.1:{server.server_address[1]}/hook",
            event_types=["video.completed", "video.failed"])
        video = sdk.videos.create_and_poll(prompt="a windmill at dusk", size="720x1280")
        assert video.status == "completed", services_stack.logs()
        deadline = time.monotonic() + 60
        while not received and time.monotonic() < deadline:
            time.sleep(0.2)
        assert len(received) == 1, services_stack.logs()
        headers, body = received[0]
        sdk.webhooks.unwrap(body, headers, secret=endpoint.signing_secret)
        event = json.loads(body)
        assert event["type"] == "video.completed" and event["data"]["id"] == video.id
        with pytest.raises(openai.InvalidWebhookSignatureError):
            sdk.webhooks.unwrap(body.replace("completed", "failed"), headers,
                                secret=endpoint.signing_secret)
        time.sleep(1)
        assert len(received) == 1  # delivered once
    finally:
        server.shutdown()


def test_extend_and_edit_through_the_worker(services_stack):
    _, key = _account(services_stack)
    sdk = _sdk(services_stack, key)
    source = sdk.videos.create_and_poll(prompt="a train leaving a station", size="1280x720")
    assert source.status == "completed", services_stack.logs()
    extended = sdk.videos.extend(prompt="the train crosses a bridge", seconds="4",
                                 video=openai.omit, extra_body={"video": {"id": source.id}})
    edited = sdk.videos.edit(prompt="the same station in snow", video=openai.omit,
                             extra_body={"video": {"id": source.id}})
    extended, edited = sdk.videos.poll(extended.id), sdk.videos.poll(edited.id)
    assert extended.status == edited.status == "completed", services_stack.logs()
    assert extended.seconds == "8" and edited.seconds == "4"
    path = Path(tempfile.mkdtemp()) / "whole.mp4"
    sdk.videos.download_content(extended.id).write_to_file(path)
    info = probe(path)
    assert (info.width, info.height) == (1280, 720)
    assert info.duration == pytest.approx(8, abs=0.1)


def test_characters_create_cast_by_name_through_the_worker_and_delete(services_stack):
    from openai_api.tests.media import toy_video

    _, key = _account(services_stack)
    sdk = _sdk(services_stack, key)
    other = _sdk(services_stack, _account(services_stack)[1])
    character = sdk.videos.create_character(name="Blue Ball",
                                            video=("ball.mp4", toy_video(), "video/mp4"))
    assert sdk.videos.get_character(character.id).name == "Blue Ball"
    with pytest.raises(openai.NotFoundError):
        other.videos.get_character(character.id)
    video = sdk.videos.create_and_poll(prompt="@blueball bounces down the stairs",
                                       size="480x854", seconds="4")
    assert video.status == "completed", (video, services_stack.logs())
    sdk.delete(f"/videos/characters/{character.id}", cast_to=object)
    with pytest.raises(openai.NotFoundError) as caught:
        sdk.videos.create(prompt=f"@{character.id} again", size="480x854")
    assert caught.value.code == "character.not_found"
