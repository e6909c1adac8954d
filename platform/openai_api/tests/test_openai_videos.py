"""/v1/videos through the official SDK: objects, sizes, content variants, pagination, errors;
the same services as the app's door (credits, moderation, limits)."""

import base64
import io
import tempfile
from pathlib import Path

import openai
import pytest
from PIL import Image

from billing.facade import credits_balance, credits_reserve
from generation.media import probe
from generation.media.spritesheet import sprite_tile_size
from generation.models import Video
from generation.pipeline import _input_reference
from openai_api.objects import video_public_id

pytestmark = pytest.mark.django_db


@pytest.fixture
def ana(user_factory, sdk_for):
    user = user_factory(handle="ana")
    return user, sdk_for(user)


def png_bytes(color=(200, 30, 30), size=(64, 96)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, format="PNG")
    return out.getvalue()


def test_create_returns_the_sdk_video_object_with_poll_pace(ana):
    _, sdk = ana
    raw = sdk.videos.with_raw_response.create(prompt="a paper boat", size="1280x720",
                                              seconds="8", model="sora-2")
    video = raw.parse()
    assert isinstance(video, openai.types.Video)
    assert video.object == "video" and video.status == "queued" and video.progress == 0
    assert video.size == "1280x720" and video.seconds == "8" and video.model == "sora-2"
    assert isinstance(video.created_at, int) and video.id.startswith("video_")
    assert int(raw.headers["openai-poll-after-ms"]) >= 1000
    row = Video.objects.get()
    assert (row.width, row.height, row.aspect_ratio, row.resolution, row.seconds) == \
        (1280, 720, "16:9", "720p", 8)


@pytest.mark.parametrize(("size", "model", "aspect", "tier"), [
    ("720x1280", "sora-2", "9:16", "720p"),
    ("1024x1792", "sora-2-pro", "9:16", "1080p"),
    ("1792x1024", "sora-2-pro", "16:9", "1080p"),
    ("480x854", "sora-2", "9:16", "480p"),
])
def test_every_sdk_size_is_made_exactly(ana, size, model, aspect, tier):
    _, sdk = ana
    video = sdk.videos.create(prompt="a lighthouse", size=size, model=model)
    assert video.size == size
    row = Video.objects.get()
    assert f"{row.width}x{row.height}" == size
    assert (row.aspect_ratio, row.resolution) == (aspect, tier)


def test_completed_video_downloads_in_every_variant(ana, django_capture_on_commit_callbacks):
    user, sdk = ana
    before = credits_balance(user_id=user.pk).total
    with django_capture_on_commit_callbacks(execute=True):
        created = sdk.videos.create(prompt="a fox in snow", size="480x854", seconds="4")
    video = sdk.videos.retrieve(created.id)
    assert video.status == "completed" and video.progress == 100, video
    assert isinstance(video.completed_at, int) and video.completed_at >= video.created_at
    assert credits_balance(user_id=user.pk).total == before - Video.objects.get().cost
    path = Path(tempfile.mkdtemp()) / "v.mp4"
    sdk.videos.download_content(video.id).write_to_file(path)
    info = probe(path)
    assert (info.width, info.height) == (480, 854)
    assert info.duration == pytest.approx(4, abs=0.1)
    thumb = Image.open(io.BytesIO(sdk.videos.download_content(video.id,
                                                              variant="thumbnail").read()))
    assert thumb.format == "JPEG"
    sheet = Image.open(io.BytesIO(sdk.videos.download_content(video.id,
                                                              variant="spritesheet").read()))
    tile_w, tile_h = sprite_tile_size(480, 854)
    assert sheet.format == "JPEG" and sheet.size == (5 * tile_w, 5 * tile_h)  # 5x5 portrait


def test_input_reference_upload_and_data_url_are_stored_for_the_first_frame(ana):
    _, sdk = ana
    sdk.videos.create(prompt="a red door", input_reference=("ref.png", png_bytes(),
                                                             "image/png"))
    data_url = "data:image/png;base64," + base64.b64encode(png_bytes((0, 0, 255))).decode()
    # The SDK's create() sends {image_url} objects only through extra_body (as multipart
    # input_reference[image_url]); JSON bodies carry the object as such.
    sdk.videos.create(prompt="a blue door", extra_body={"input_reference": {"image_url":
                                                                             data_url}})
    json_made = sdk.post("/videos", cast_to=openai.types.Video, body={
        "prompt": "a green door", "input_reference": {"image_url": data_url}})
    assert json_made.status == "queued"
    videos = list(Video.objects.order_by("created_at"))
    assert len(videos) == 3 and all(v.provenance["input_reference"].endswith(".png")
                                    for v in videos)
    # What the worker hands the backend as the first frame's condition: the client's image.
    first, second = _input_reference(videos[0]), _input_reference(videos[1])
    assert first.shape == (96, 64, 3) and (first == (200, 30, 30)).all()
    assert (second == (0, 0, 255)).all()


@pytest.mark.parametrize(("kwargs", "param"), [
    ({"size": "1000x1000"}, "size"),
    ({"size": "1792x1024", "model": "sora-2"}, "size"),  # a pro size on the standard model
    ({"seconds": "5"}, "seconds"),
    ({"seconds": "64"}, "seconds"),  # past a minute
    ({"model": "gpt-4o"}, "model"),
    ({"input_reference": ("x.png", b"not an image", "image/png")}, "input_reference"),
    ({"extra_body": {"input_reference": {"file_id": "file-123"}}},
     "input_reference.file_id"),  # no such file
    ({"extra_body": {"input_reference": {"image_url": "https://example.com/a.png"}}},
     "input_reference.image_url"),
    ({"extra_body": {"input_reference": {"image_url": "data:image/png;base64,!!"}}},
     "input_reference.image_url"),
])
def test_bad_parameters_are_400_naming_the_param_and_write_nothing(ana, kwargs, param):
    user, sdk = ana
    before = credits_balance(user_id=user.pk)
    with pytest.raises(openai.BadRequestError) as caught:
        sdk.videos.create(prompt="a calm lake", **kwargs)
    assert caught.value.status_code == 400 and caught.value.param == param
    assert caught.value.type == "invalid_request_error"
    assert Video.objects.count() == 0
    assert credits_balance(user_id=user.pk) == before


def test_a_minute_long_video_is_one_job(ana):
    """Long videos are made in segments by the worker (generation/tests/test_long_video.py);
    the door takes up to 60 s as one job, priced for its seconds."""
    _, sdk = ana
    created = sdk.videos.create(prompt="a minute of rain on a window", size="480x854",
                                seconds="60")  # type: ignore[arg-type]
    assert created.seconds == "60" and created.status == "queued"
    assert Video.objects.get().seconds == 60


def test_blocked_prompt_is_400_with_the_reason_code(ana):
    _, sdk = ana
    with pytest.raises(openai.BadRequestError) as caught:
        sdk.videos.create(prompt="a nude woman on a beach")
    assert caught.value.code == "moderation_blocked" and caught.value.param == "prompt"
    assert "SAFETY.INPUT.SEXUAL" in caught.value.body["reason_codes"]
    assert Video.objects.count() == 0


def test_too_little_credit_is_429_insufficient_quota_with_retry_after(ana):
    user, sdk = ana
    credits_reserve(user_id=user.pk, amount=credits_balance(user_id=user.pk).total - 1,
                    reference="test:spent", reason="spent elsewhere")
    with pytest.raises(openai.RateLimitError) as caught:
        sdk.videos.create(prompt="a long pan", seconds="12")
    error = caught.value
    assert error.code == "insufficient_quota" and error.type == "insufficient_quota"
    headers = error.response.headers
    assert int(headers["retry-after"]) >= 1
    assert int(headers["retry-after-ms"]) == pytest.approx(int(headers["retry-after"]) * 1000,
                                                           abs=1000)
    assert headers["x-should-retry"] == "false"
    assert Video.objects.count() == 0


def test_too_many_running_jobs_is_a_rate_limit_with_retry_after(ana, settings):
    _, sdk = ana
    settings.GENERATION_MAX_CONCURRENT_JOBS = 2
    sdk.videos.create(prompt="one")
    sdk.videos.create(prompt="two")
    with pytest.raises(openai.RateLimitError) as caught:
        sdk.videos.create(prompt="three")
    assert caught.value.code == "rate_limit_exceeded"
    assert int(caught.value.response.headers["retry-after-ms"]) > 0


def test_unknown_and_someone_elses_videos_are_404(ana, user_factory, sdk_for):
    _, sdk = ana
    mine = sdk.videos.create(prompt="a secret garden")
    other = sdk_for(user_factory())
    for video_id in (mine.id, "video_" + "f" * 32, "nonsense", "../../etc"):
        with pytest.raises(openai.NotFoundError):
            other.videos.retrieve(video_id)
    with pytest.raises(openai.NotFoundError):
        other.videos.delete(mine.id)
    with pytest.raises(openai.NotFoundError):
        other.videos.download_content(mine.id)
    assert sdk.videos.retrieve(mine.id).id == mine.id


def test_bad_key_is_an_authentication_error(ana, sdk_for):
    user, _ = ana
    for secret in ("sk-cl-wrong", "sk-proj-not-ours", "garbage"):
        with pytest.raises(openai.AuthenticationError):
            sdk_for(user, secret=secret).videos.list()


def test_content_of_an_unfinished_video_is_409(ana):
    _, sdk = ana
    video = sdk.videos.create(prompt="a slow dawn")
    with pytest.raises(openai.ConflictError):
        sdk.videos.download_content(video.id)
    with pytest.raises(openai.BadRequestError) as caught:
        sdk.videos.download_content(video.id, variant="poster")  # type: ignore[arg-type]
    assert caught.value.param == "variant"


def test_list_pages_in_both_orders_and_delete(ana, settings):
    _, sdk = ana
    settings.GENERATION_MAX_CONCURRENT_JOBS = 10
    made = [sdk.videos.create(prompt=f"clip {n}").id for n in range(5)]
    newest_first = [v.id for v in sdk.videos.list(limit=2)]  # auto-paginates over 3 pages
    assert newest_first == made[::-1]
    page = sdk.videos.list(limit=2, order="asc")
    assert [v.id for v in page.data] == made[:2] and page.has_more is True
    assert page.last_id == made[1]
    second = page.get_next_page()
    assert [v.id for v in second.data] == made[2:4]
    assert [v.id for v in sdk.videos.list(order="asc", after=made[3])] == [made[4]]
    deleted = sdk.videos.delete(made[0])
    assert deleted.deleted is True and deleted.object == "video.deleted"
    assert deleted.id == made[0]
    with pytest.raises(openai.NotFoundError):
        sdk.videos.retrieve(made[0])
    assert made[0] not in [v.id for v in sdk.videos.list()]
    with pytest.raises(openai.BadRequestError):
        sdk.videos.list(limit=1000)


def test_app_made_videos_show_through_the_door_too(ana, login):
    user, sdk = ana
    app = login(user)
    made = app.post("/api/v1/videos", {"prompt": "made in the app", "aspect_ratio": "16:9"},
                    format="json").json()
    seen = sdk.videos.retrieve(video_public_id(__import__("uuid").UUID(made["id"])))
    assert seen.size == "854x480" and seen.prompt == "made in the app"


def test_models_list_the_aliases_with_their_sizes(ana):
    _, sdk = ana
    models = {m.id: m for m in sdk.models.list()}
    assert {"sora-2", "sora-2-pro"} <= set(models)
    assert "1792x1024" in models["sora-2-pro"].sizes  # type: ignore[attr-defined]
    assert "1792x1024" not in models["sora-2"].sizes  # type: ignore[attr-defined]
    assert sdk.models.retrieve("sora-2").owned_by == "castline"
    with pytest.raises(openai.NotFoundError):
        sdk.models.retrieve("dall-e-2")


def test_unknown_v1_path_is_an_openai_404(ana):
    _, sdk = ana
    with pytest.raises(openai.NotFoundError):
        sdk.batches.list()


def test_request_rate_limit_is_a_429_with_retry_after(ana, monkeypatch):
    from django.core.cache import cache
    from rest_framework.throttling import ScopedRateThrottle

    _, sdk = ana
    cache.clear()
    # The views' own throttle class: another test may have left its own copy of the rates on it.
    rates = {**ScopedRateThrottle.THROTTLE_RATES, "video_create": "2/min"}
    monkeypatch.setattr(ScopedRateThrottle, "THROTTLE_RATES", rates)
    sdk.videos.create(prompt="one")
    sdk.videos.create(prompt="two")
    with pytest.raises(openai.RateLimitError) as caught:
        sdk.videos.create(prompt="three")
    assert caught.value.code == "rate_limit_exceeded" and caught.value.type == "requests"
    seconds = int(caught.value.response.headers["retry-after"])
    assert 1 <= seconds <= 60
    assert int(caught.value.response.headers["retry-after-ms"]) == seconds * 1000
    assert Video.objects.count() == 2
    sdk.videos.list()  # reads have their own budget
