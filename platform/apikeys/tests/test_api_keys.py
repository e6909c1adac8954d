"""API keys: created once-shown, stored as a hash, listed, renamed, revoked at once,
read-only enforced; the app's bearer tokens keep working on /v1."""

import pytest
from rest_framework.test import APIClient

from apikeys.models import ApiKey
from apikeys.services import secret_hash

pytestmark = pytest.mark.django_db

KEYS = "/api/v1/api-keys"


@pytest.fixture
def owner(user_factory, login):
    user = user_factory()
    return user, login(user)


def key_client(secret: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    return client


def test_create_shows_the_secret_once_and_stores_only_its_hash(owner):
    _, app = owner
    response = app.post(KEYS, {"name": "my script"}, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    secret = body["key"]
    assert secret.startswith("sk-cl-") and len(secret) > 40
    assert body["prefix"] == secret[:14] and body["read_only"] is False
    row = ApiKey.objects.get(pk=body["id"])
    assert row.secret_sha256 == secret_hash(secret) and secret not in row.prefix
    listed = app.get(KEYS).json()["results"]
    assert [k["name"] for k in listed] == ["my script"]
    assert "key" not in listed[0] and listed[0]["last_used_at"] is None


def test_key_works_on_v1_notes_last_use_and_dies_when_revoked(owner):
    _, app = owner
    created = app.post(KEYS, {"name": "ci"}, format="json").json()
    program = key_client(created["key"])
    assert program.get("/v1/models").status_code == 200
    assert app.get(KEYS).json()["results"][0]["last_used_at"] is not None
    assert app.delete(f"{KEYS}/{created['id']}").status_code == 204
    refused = program.get("/v1/models")
    assert refused.status_code == 401
    assert refused.json()["error"]["code"] == "invalid_api_key"
    assert app.get(KEYS).json()["results"] == []


def test_rename(owner):
    _, app = owner
    created = app.post(KEYS, {"name": "old"}, format="json").json()
    renamed = app.patch(f"{KEYS}/{created['id']}", {"name": "new"}, format="json")
    assert renamed.status_code == 200 and renamed.json()["name"] == "new"
    assert app.get(KEYS).json()["results"][0]["name"] == "new"


def test_someone_elses_key_is_a_404_to_rename_or_revoke(owner, user_factory, login):
    _, app = owner
    created = app.post(KEYS, {"name": "mine"}, format="json").json()
    other = login(user_factory())
    assert other.delete(f"{KEYS}/{created['id']}").status_code == 404
    assert other.patch(f"{KEYS}/{created['id']}", {"name": "x"}, format="json"
                       ).status_code == 404
    assert key_client(created["key"]).get("/v1/models").status_code == 200


def test_read_only_key_reads_but_cannot_create_or_delete(owner):
    _, app = owner
    created = app.post(KEYS, {"name": "dashboard", "read_only": True}, format="json").json()
    assert created["read_only"] is True
    program = key_client(created["key"])
    assert program.get("/v1/videos").status_code == 200
    refused = program.post("/v1/videos", {"prompt": "a cat"}, format="json")
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "api_key_read_only"
    assert program.delete("/v1/videos/video_" + "0" * 32).status_code == 403


def test_a_key_cannot_manage_keys_and_bad_input_is_a_400(owner):
    _, app = owner
    created = app.post(KEYS, {"name": "k"}, format="json").json()
    assert key_client(created["key"]).post(KEYS, {"name": "x"}, format="json"
                                           ).status_code == 401
    bad = app.post(KEYS, {"name": ""}, format="json")
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "validation_error"
    assert app.post(KEYS, {"name": "x" * 101}, format="json").status_code == 400


def test_unknown_key_and_app_token_on_v1(owner):
    _, app = owner
    unknown = key_client("sk-cl-" + "A" * 43).get("/v1/videos")
    assert unknown.status_code == 401 and unknown.json()["error"]["code"] == "invalid_api_key"
    assert app.get("/v1/videos").status_code == 200  # the app's bearer JWT
    anonymous = APIClient().get("/v1/videos")
    assert anonymous.status_code == 401
    assert set(anonymous.json()["error"]) >= {"message", "type", "param", "code"}
