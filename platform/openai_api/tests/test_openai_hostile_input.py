"""Bad input at the door: wrong types, malformed bodies, oversized or non-image references,
bad pagination. Always a 4xx in OpenAI's shape, nothing written, no credits held."""

import io

import pytest
from PIL import Image
from rest_framework.test import APIClient

from apikeys.services import api_key_create
from billing.facade import credits_balance
from generation.models import Video

pytestmark = pytest.mark.django_db


@pytest.fixture
def program(user_factory):
    user = user_factory()
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {api_key_create(user=user, name='t').secret}")
    return user, client


def _openai_error(response, status: int) -> dict:
    assert response.status_code == status, response.content
    error = response.json()["error"]
    assert set(error) >= {"message", "type", "param", "code"}
    return error


@pytest.mark.parametrize(("body", "param"), [
    ({"prompt": ["a", "list"]}, "prompt"),
    ({"prompt": {"nested": 1}}, "prompt"),
    ({}, "prompt"),
    ({"prompt": "ok", "seconds": {"x": 1}}, "seconds"),
    ({"prompt": "ok", "seconds": 4.5}, "seconds"),
    ({"prompt": "ok", "size": 720}, "size"),
    ({"prompt": "ok", "size": "720x1280x3"}, "size"),
    ({"prompt": "ok", "model": ["sora-2"]}, "model"),
    ({"prompt": "ok", "input_reference": "just a string"}, "input_reference"),
    ({"prompt": "ok", "input_reference": {"image_url": 5}}, "input_reference"),
    ({"prompt": "x" * 5000}, "prompt"),
])
def test_wrong_types_are_400_naming_the_param(program, body, param):
    user, client = program
    before = credits_balance(user_id=user.pk)
    error = _openai_error(client.post("/v1/videos", body, format="json"), 400)
    assert error["param"] == param and error["type"] == "invalid_request_error"
    assert Video.objects.count() == 0 and credits_balance(user_id=user.pk) == before


def test_malformed_json_and_unsupported_media_type(program):
    _, client = program
    error = _openai_error(client.generic("POST", "/v1/videos", b"{not json",
                                         content_type="application/json"), 400)
    assert error["code"] == "invalid_json"
    _openai_error(client.generic("POST", "/v1/videos", b"prompt=x",
                                 content_type="text/plain"), 415)


def test_oversized_and_disguised_references(program, settings):
    _, client = program
    settings.OPENAI_MAX_REFERENCE_BYTES = 1000
    big = io.BytesIO()
    Image.effect_noise((200, 200), 60).convert("RGB").save(big, format="PNG")
    big.seek(0)
    big.name = "big.png"
    error = _openai_error(client.post("/v1/videos", {"prompt": "ok", "input_reference": big},
                                      format="multipart"), 400)
    assert error["param"] == "input_reference"
    settings.OPENAI_MAX_REFERENCE_BYTES = 20 * 1024 * 1024
    fake = io.BytesIO(b"GIF89a" + b"\0" * 100)
    fake.name = "photo.png"  # the name says PNG; the content decides
    error = _openai_error(client.post("/v1/videos", {"prompt": "ok", "input_reference": fake},
                                      format="multipart"), 400)
    assert error["param"] == "input_reference"
    gif = io.BytesIO()
    Image.new("RGB", (8, 8)).save(gif, format="GIF")
    gif.seek(0)
    gif.name = "a.gif"
    error = _openai_error(client.post("/v1/videos", {"prompt": "ok", "input_reference": gif},
                                      format="multipart"), 400)
    assert "JPEG, PNG or WebP" in error["message"]
    assert Video.objects.count() == 0


@pytest.mark.parametrize(("query", "param"), [
    ("limit=0", "limit"), ("limit=abc", "limit"), ("limit=101", "limit"),
    ("order=sideways", "order"), ("after=garbage", "after"),
    ("after=video_" + "0" * 32, "after"),
])
def test_bad_pagination_is_400(program, query, param):
    _, client = program
    assert _openai_error(client.get(f"/v1/videos?{query}"), 400)["param"] == param


def test_idempotency_key_replays_the_first_create(program):
    _, client = program
    first = client.post("/v1/videos", {"prompt": "a kite"}, format="json",
                        HTTP_IDEMPOTENCY_KEY="k1")
    again = client.post("/v1/videos", {"prompt": "a kite"}, format="json",
                        HTTP_IDEMPOTENCY_KEY="k1")
    assert first.status_code == again.status_code == 200
    assert again.json()["id"] == first.json()["id"] and again["Idempotent-Replayed"] == "true"
    assert Video.objects.count() == 1
    _openai_error(client.post("/v1/videos", {"prompt": "another"}, format="json",
                              HTTP_IDEMPOTENCY_KEY="k1"), 409)


def test_remix_through_the_door_keeps_the_model_and_refuses_unfinished_sources(program):
    _, client = program
    source = client.post("/v1/videos", {"prompt": "a kite", "model": "sora-2-pro",
                                        "size": "1792x1024"}, format="json").json()
    error = _openai_error(client.post(f"/v1/videos/{source['id']}/remix", {"prompt": "b"},
                                      format="json"), 409)
    assert error["castline_code"] == "generation.remix_source_unfinished"
    Video.objects.update(status="completed")
    remix = client.post(f"/v1/videos/{source['id']}/remix", {"prompt": "a red kite"},
                        format="json")
    assert remix.status_code == 200, remix.content
    body = remix.json()
    assert body["remixed_from_video_id"] == source["id"] and body["model"] == "sora-2-pro"
    assert body["size"] == "1792x1024"
    _openai_error(client.post("/v1/videos/video_" + "0" * 32 + "/remix", {"prompt": "b"},
                              format="json"), 404)
