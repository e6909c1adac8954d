"""Hostile input gets a 4xx in the error shape with a stable code, never a 500."""

import io
import uuid

import pytest
from django.test import Client
from drf_spectacular.generators import SchemaGenerator
from PIL import Image

from events.models import Notification

pytestmark = pytest.mark.django_db

DEEP_LIST = "[" * 1000 + "]" * 1000
DEEP_OBJECT = '{"a": ' * 1000 + "1" + "}" * 1000
PATH_VALUES = {"video_id": str(uuid.uuid4()), "approval_id": str(uuid.uuid4()),
               "handle": "someone", "term": "x", "tag": "x"}


def assert_error(response, status, code):
    assert response.status_code == status, response.content
    error = response.json()["error"]
    # /v1 answers in OpenAI's shape, with Castline's own code beside the SDK's.
    assert error.get("castline_code", error["code"]) == code, response.content


def json_operations():
    """Every operation of the API whose schema takes a JSON body, path filled in."""
    schema = SchemaGenerator().get_schema(request=None, public=True)
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            if "application/json" not in operation.get("requestBody", {}).get("content", {}):
                continue
            url = path
            for name, value in PATH_VALUES.items():
                url = url.replace("{" + name + "}", value)
            yield method.upper(), url.replace("{", "").replace("}", "").replace(
                "case_id", "1").replace("appeal_id", "1").replace("term_id", "1").replace(
                "session_id", "1").replace("comment_id", "1")


@pytest.mark.parametrize("body", [DEEP_LIST, DEEP_OBJECT, "[" * 40 + "]" * 40],
                         ids=["list-1000", "object-1000", "list-40"])
def test_deeply_nested_json_is_malformed_everywhere(api, user_factory, login, body):
    member = login(user_factory())
    malformed = set()
    operations = list(json_operations())
    assert len(operations) >= 30
    for method, url in operations:
        for client in (api, member):
            response = client.generic(method, url, body, content_type="application/json")
            assert response.status_code < 500, (method, url, response.content)
            if response.status_code == 400:
                assert_error(response, 400, "request.malformed")
                malformed.add((method, url, client is api))
    assert {("POST", "/api/v1/auth/login", True), ("POST", "/api/v1/auth/register", True),
            ("POST", "/api/v1/videos", False), ("POST", "/api/v1/reports", False),
            ("POST", "/api/v1/notifications/read", False), ("PATCH", "/api/v1/me", False),
            } <= malformed


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity"])
def test_non_json_constants_are_malformed(api, constant):
    response = api.generic("POST", "/api/v1/credits/quote", '{"seconds": ' + constant + "}",
                           content_type="application/json")
    assert_error(response, 400, "request.malformed")


@pytest.fixture(scope="module")
def bomb_png():
    """20000x20000 one-bit PNG: 48 kB on disk, 1.2 GB as RGB."""
    out = io.BytesIO()
    Image.new("1", (20000, 20000)).save(out, format="PNG")
    return out.getvalue()


def test_decompression_bomb_avatar_is_too_large(user_factory, login, bomb_png):
    client = login(user_factory())
    upload = io.BytesIO(bomb_png)
    upload.name = "bomb.png"
    response = client.put("/api/v1/me/avatar", {"avatar": upload}, format="multipart")
    assert_error(response, 413, "upload.too_large")


def test_an_image_over_the_pixel_bound_is_too_large_before_decoding(user_factory, login,
                                                                   settings):
    settings.MAX_IMAGE_PIXELS = 100 * 100
    out = io.BytesIO()
    Image.new("RGB", (101, 100)).save(out, format="PNG")
    out.seek(0)
    out.name = "wide.png"
    response = login(user_factory()).put("/api/v1/me/avatar", {"avatar": out},
                                         format="multipart")
    assert_error(response, 413, "upload.too_large")


def test_decompression_bomb_sent_to_verify_is_refused(api, bomb_png):
    upload = io.BytesIO(bomb_png)
    upload.name = "bomb.png"
    response = api.post("/api/v1/provenance/verify", {"file": upload}, format="multipart")
    assert_error(response, 413, "upload.too_large")


@pytest.mark.parametrize("fmt", ["PNG", "JPEG", "GIF", "TIFF", "WEBP", "BMP", "TGA", "ICO"])
def test_verify_reads_any_picture_pillow_decodes(api, fmt):
    """GIF and TIFF were read but BMP was called "not a video" (C2PA defines no manifest for
    BMP, so reading one failed) and TGA too (ffmpeg does not probe it): a picture Pillow
    decodes within the pixel bound is checked (no manifest, no mark), whatever its format."""
    upload = io.BytesIO()
    Image.new("RGB", (64, 48), (120, 80, 40)).save(upload, format=fmt)
    upload.seek(0)
    upload.name = f"picture.{fmt.lower()}"
    response = api.post("/api/v1/provenance/verify", {"file": upload}, format="multipart")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["verdict"] == "unknown"
    assert body["c2pa"]["present"] is False and body["watermark"]["found"] is False


def test_verify_says_what_it_reads_when_refusing(api):
    upload = io.BytesIO(b"plain text is neither a video nor a picture")
    upload.name = "notes.bmp"
    response = api.post("/api/v1/provenance/verify", {"file": upload}, format="multipart")
    assert_error(response, 400, "provenance.unreadable")
    assert response.json()["error"]["message"] == "The file is not a video or picture we can read."


@pytest.mark.parametrize("body", [{"ids": [2**63]}, {"ids": [2**64 + 5]}, {"up_to_id": 2**63},
                                  {"ids": [-1]}, {"up_to_id": 0}, {"ids": [1.5]},
                                  {"ids": ["abc"]}, {"up_to_id": "1e30"}])
def test_notification_ids_out_of_range_are_validation_errors(user_factory, login, body):
    user = user_factory()
    Notification.objects.create(user=user, type="test", payload={})
    response = login(user).post("/api/v1/notifications/read", body, format="json")
    assert_error(response, 400, "validation_error")
    assert set(response.json()["error"]["fields"]) == set(body)
    assert Notification.objects.filter(read_at__isnull=False).count() == 0


@pytest.mark.parametrize(("method", "url", "body"), [
    ("GET", "/api/v1/videos/{v}/comments?parent_id=99999999999999999999", None),
    ("GET", "/api/v1/videos/{v}/comments?parent_id=-3", None),
    ("POST", "/api/v1/appeals", {"decision_id": 2**63, "statement": "x"}),
    ("POST", "/api/v1/videos/{v}/comments", {"body": "hi", "parent_id": 2**64}),
])
def test_other_id_inputs_out_of_range_are_validation_errors(user_factory, login, method, url,
                                                           body):
    client = login(user_factory())
    response = client.generic(method, url.format(v=uuid.uuid4()),
                              *([] if body is None else [__import__("json").dumps(body)]),
                              content_type="application/json")
    assert_error(response, 400, "validation_error")


@pytest.mark.parametrize("url", ["/api/v1/auth/sessions/99999999999999999999",
                                 "/api/v1/moderation/cases/9223372036854775808",
                                 "/api/v1/videos/{v}/comments/18446744073709551616"])
def test_ids_past_bigint_in_paths_are_json_404(user_factory, login, url):
    response = login(user_factory()).delete(url.format(v=uuid.uuid4()))
    assert_error(response, 404, "not_found")


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE"])
def test_writes_to_unknown_api_paths_are_json_404_not_csrf_pages(method):
    client = Client(enforce_csrf_checks=True)
    response = client.generic(method, "/api/v1/no-such-thing", "{}",
                              content_type="application/json")
    assert_error(response, 404, "not_found")
    assert response["Content-Type"] == "application/json"


@pytest.mark.parametrize(("field", "value"), [("prompt", 12345), ("prompt", True),
                                              ("negative_prompt", 1.5), ("style", 3)])
def test_numbers_are_not_strings_on_videos(user_factory, login, field, value):
    body = {"prompt": "a fox in snow", field: value}
    response = login(user_factory()).post("/api/v1/videos", body, format="json")
    assert_error(response, 400, "validation_error")
    assert field in response.json()["error"]["fields"]


@pytest.mark.parametrize(("field", "value"), [("handle", 12345), ("email", 5),
                                              ("password", 123456789012)])
def test_numbers_are_not_strings_on_register(api, field, value):
    body = {"email": "new@example.com", "password": "a-long-passphrase", "handle": "newbie",
            "birthdate": "2000-01-01", field: value}
    response = api.post("/api/v1/auth/register", body, format="json")
    assert_error(response, 400, "validation_error")
    assert field in response.json()["error"]["fields"]


@pytest.mark.parametrize("birthdate", ["0001-01-01", "1800-06-01", "2999-01-01"])
def test_implausible_birthdates_are_refused(api, birthdate):
    body = {"email": "new@example.com", "password": "a-long-passphrase", "handle": "newbie",
            "birthdate": birthdate}
    response = api.post("/api/v1/auth/register", body, format="json")
    assert response.status_code == 400, response.content
    assert "birthdate" in response.json()["error"]["fields"]


@pytest.mark.parametrize("url", ["/api/v1/notifications", "/api/v1/videos",
                                 "/api/v1/credits/ledger", "/api/v1/cameo/appearances",
                                 "/api/v1/feed/following", "/api/v1/feed/for-you",
                                 "/api/v1/auth/sessions"])
@pytest.mark.parametrize("size", ["-1", "0", str(10**20), "abc", "1.5"])
def test_impossible_page_sizes_are_validation_errors(user_factory, login, url, size):
    response = login(user_factory()).get(url, {"page_size": size})
    assert_error(response, 400, "validation_error")
    assert "page_size" in response.json()["error"]["fields"]
