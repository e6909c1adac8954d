"""Enrollment through the API with the real face fixtures (skipped where they are absent):
the eager worker runs the real verification; results arrive as events and on /cameo/me."""

from pathlib import Path

import numpy as np
import pytest
from cameo_media import (
    PERFORMER_TURNS,
    PHRASE,
    SIZE,
    fixture_path,
    speech_like,
    still_frames,
    write_video,
)
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import override_settings

from cameo.models import Cameo, CameoChallenge, CameoFrame, Enrollment
from events.models import Notification

pytestmark = pytest.mark.django_db


def enroll(client, capture, video: Path | bytes, *, moves=PERFORMER_TURNS, phrase=PHRASE):
    challenge = client.post("/api/v1/cameo/challenge").json()
    assert set(challenge) == {"id", "phrase", "moves", "expires_at"}
    # The fixture clip performs fixed moves; the challenge is set to what it contains.
    CameoChallenge.objects.filter(pk=challenge["id"]).update(moves=moves, phrase=phrase)
    data = video if isinstance(video, bytes) else video.read_bytes()
    with capture(execute=True):
        response = client.post("/api/v1/cameo", {
            "challenge": challenge["id"],
            "video": SimpleUploadedFile("clip.mp4", data, content_type="video/mp4")},
            format="multipart")
    return response, challenge


def test_real_enrollment_is_verified_and_stored_encrypted(
        performer_video, user_factory, login, django_capture_on_commit_callbacks):
    user = user_factory(handle="perf")
    client = login(user)
    response, challenge = enroll(client, django_capture_on_commit_callbacks, performer_video)
    assert response.status_code == 202, response.content
    me = client.get("/api/v1/cameo/me").json()
    assert me["status"] == "verified", me
    assert me["reasons"] == [] and me["enrollment"]["status"] == "verified"
    assert Notification.objects.filter(user=user, type="cameo.verified").exists()
    frames = list(CameoFrame.objects.filter(cameo__owner=user))
    assert 1 <= len(frames) <= 3
    for frame in frames:
        blob = Path(frame.image.path).read_bytes()
        assert not blob.startswith(b"\xff\xd8")  # encrypted, not a JPEG
    enrollment = Enrollment.objects.get()
    assert not enrollment.upload  # the raw upload is gone
    assert not any(Path(enrollment.upload.storage.path("cameo/uploads")).glob("*.bin"))
    reused = client.post("/api/v1/cameo", {
        "challenge": challenge["id"],
        "video": SimpleUploadedFile("clip.mp4", performer_video.read_bytes())},
        format="multipart")
    assert reused.status_code == 400
    assert reused.json()["error"]["code"] == "cameo.challenge_invalid"

    # Re-enrolling with the same face keeps the cameo verified.
    again, _ = enroll(client, django_capture_on_commit_callbacks, performer_video)
    assert again.status_code == 202
    assert client.get("/api/v1/cameo/me").json()["enrollment"]["status"] == "verified"

    # Another account enrolling the same face is rejected.
    other = login(user_factory(handle="copycat"))
    enroll(other, django_capture_on_commit_callbacks, performer_video)
    me = other.get("/api/v1/cameo/me").json()
    assert me["status"] == "rejected" and "cameo.duplicate_identity" in me["reasons"]


def test_still_photo_video_is_rejected(media_dir, user_factory, login,
                                       django_capture_on_commit_callbacks):
    still = write_video(media_dir / "still.mp4", still_frames(fixture_path("obama.jpg"), 5, 15),
                        15, speech_like(5))
    user = user_factory(handle="photo")
    client = login(user)
    enroll(client, django_capture_on_commit_callbacks, still)
    me = client.get("/api/v1/cameo/me").json()
    assert me["status"] == "rejected"
    assert "cameo.static_image" in me["reasons"] or "cameo.wrong_moves" in me["reasons"]
    assert Notification.objects.filter(user=user, type="cameo.rejected").exists()
    assert Cameo.objects.get(owner=user).encoding is None


def test_protected_likeness_is_rejected(performer_video, user_factory, login,
                                        django_capture_on_commit_callbacks):
    call_command("cameo_registry_add", "The Performer", str(fixture_path("performer.png")),
                 "--reason", "estate_request")
    client = login(user_factory(handle="perf2"))
    enroll(client, django_capture_on_commit_callbacks, performer_video)
    me = client.get("/api/v1/cameo/me").json()
    assert me["status"] == "rejected" and "cameo.protected_likeness" in me["reasons"]


def test_uploads_are_checked_by_content_and_size(user_factory, login,
                                                 django_capture_on_commit_callbacks):
    client = login(user_factory(handle="uploader"))
    response, _ = enroll(client, django_capture_on_commit_callbacks, b"GIF89a not a video")
    assert response.status_code == 415
    assert response.json()["error"]["code"] == "cameo.upload_not_video"
    with override_settings(CAMEO_MAX_UPLOAD_BYTES=1000):
        response, _ = enroll(client, django_capture_on_commit_callbacks,
                             b"\0\0\0\x18ftypmp42" + b"\0" * 2000)
    assert response.status_code == 413
    assert not Enrollment.objects.exists()


def test_a_video_that_cannot_be_decoded_is_refused_at_once(
        tmp_path, settings, user_factory, login, django_capture_on_commit_callbacks):
    """A container header is not enough: a truncated MP4 (or one of junk after "ftyp") is
    refused by the upload with 415, as the characters door does, with nothing stored and the
    challenge still usable; before, it was accepted (202) and rejected later by the worker."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    client = login(user_factory(handle="truncator"))
    frames = (np.full((SIZE[1], SIZE[0], 3), n * 2, dtype=np.uint8) for n in range(96))
    whole = write_video(tmp_path / "whole.mp4", frames, 24, None).read_bytes()
    junk = b"\0\0\0\x18ftypmp42" + bytes(range(256)) * 40
    for video in (whole[: len(whole) // 2], junk):
        response, challenge = enroll(client, django_capture_on_commit_callbacks, video)
        assert response.status_code == 415, response.content
        error = response.json()["error"]
        assert error["code"] == "cameo.upload_not_video" and "decoded" in error["message"]
        assert not CameoChallenge.objects.get(pk=challenge["id"]).used_at
    assert not Enrollment.objects.exists() and not Cameo.objects.exists()
    assert not (tmp_path / "media" / "cameo").exists()
