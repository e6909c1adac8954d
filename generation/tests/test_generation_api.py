"""The videos API end to end in process: eager worker, real tiny model, real encode and C2PA."""

from pathlib import Path

import pytest

from billing.facade import credits_reserve
from billing.models import LedgerEntry
from generation.media import probe
from generation.models import Video
from generation.pipeline import video_run
from generation.verification import provenance_verify

pytestmark = pytest.mark.django_db

VIDEOS = "/api/v1/videos"


def create(client, capture, **body):
    body.setdefault("prompt", "a red fox running through snow at dawn")
    body.setdefault("seconds", 4)
    with capture(execute=True):
        return client.post(VIDEOS, body, format="json", **body.pop("headers", {}))


def balance(client) -> int:
    return client.get("/api/v1/credits").json()["total"]


def test_video_end_to_end_decodes_with_synced_audio(ana, django_capture_on_commit_callbacks):
    user, client = ana
    before = balance(client)
    response = create(client, django_capture_on_commit_callbacks, aspect_ratio="9:16")
    assert response.status_code == 202, response.content
    body = response.json()
    assert body["status"] == "queued" and body["cost"] > 0
    done = client.get(f"{VIDEOS}/{body['id']}").json()
    assert done["status"] == "completed", done
    assert done["progress"] == 1.0
    video = Video.objects.get(pk=body["id"])
    info = probe(video.video_file.path)
    assert (info.width, info.height) == (480, 854)
    assert info.video_codec == "h264" and info.audio_codec == "aac"
    assert info.fps == pytest.approx(24, abs=0.01)
    assert info.duration == pytest.approx(4, abs=0.1)
    assert info.audio_duration == pytest.approx(info.duration, abs=1 / 24 + 0.03)
    assert balance(client) == before - body["cost"]
    kinds = list(LedgerEntry.objects.filter(account__user=user).values_list("kind", flat=True))
    assert kinds.count("capture") == 1
    report = provenance_verify(source=Path(video.video_file.path))
    assert report["c2pa"]["valid"] and report["c2pa"]["trusted"]
    assert report["watermark"]["generation"]["video_id"] == body["id"]
    assert report["watermark"]["audio"] == {"found": True,
                                            "payload": f"{video.watermark_id:016x}"}


def test_soundtrack_alone_still_names_the_generation(ana, django_capture_on_commit_callbacks,
                                                     tmp_path):
    """Someone lays our soundtrack over another picture: the audio mark still identifies it."""
    import numpy as np

    from generation.backends.base import GenerationResult
    from generation.media import encode_mp4
    from generation.provenance import audio_mark

    _, client = ana
    video_id = create(client, django_capture_on_commit_callbacks).json()["id"]
    video = Video.objects.get(pk=video_id)
    soundtrack = audio_mark.decode_mono(Path(video.video_file.path))
    assert soundtrack is not None
    other_picture = np.full((96, 128, 128, 3), 90, np.uint8)
    relaid = tmp_path / "relaid.mp4"
    encode_mp4(GenerationResult(frames=other_picture, audio=np.stack([soundtrack] * 2),
                                fps=24, sample_rate=audio_mark.RATE), relaid)
    report = provenance_verify(source=relaid)
    assert not report["watermark"]["found"] and not report["c2pa"]["present"]
    assert report["watermark"]["audio"]["found"]
    assert report["watermark"]["generation"]["video_id"] == video_id
    assert report["verdict"] == "castline"


def test_content_supports_range_requests(ana, django_capture_on_commit_callbacks):
    _, client = ana
    video_id = create(client, django_capture_on_commit_callbacks).json()["id"]
    full = client.get(f"{VIDEOS}/{video_id}/content?variant=video")
    assert full.status_code == 200 and full["Content-Type"] == "video/mp4"
    data = b"".join(full.streaming_content)
    part = client.get(f"{VIDEOS}/{video_id}/content", HTTP_RANGE="bytes=10-99")
    assert part.status_code == 206
    assert part["Content-Range"] == f"bytes 10-99/{len(data)}"
    assert b"".join(part.streaming_content) == data[10:100]
    bad = client.get(f"{VIDEOS}/{video_id}/content", HTTP_RANGE=f"bytes={len(data) + 5}-")
    assert bad.status_code == 416
    thumb = client.get(f"{VIDEOS}/{video_id}/content?variant=thumbnail")
    assert thumb["Content-Type"] == "image/jpeg"


def test_storyboard_of_three_shots(ana, django_capture_on_commit_callbacks):
    _, client = ana
    shots = [{"prompt": "a door opens", "seconds": 2}, {"prompt": "a cat walks in",
             "seconds": 1}, {"prompt": "the cat sleeps", "seconds": 1}]
    response = create(client, django_capture_on_commit_callbacks, shots=shots,
                      aspect_ratio="1:1")
    assert response.status_code == 202, response.content
    video = Video.objects.get(pk=response.json()["id"])
    assert video.status == "completed", video.error_message
    info = probe(video.video_file.path)
    assert (info.width, info.height) == (480, 480)
    assert info.duration == pytest.approx(4, abs=0.1)
    assert info.audio_duration == pytest.approx(info.duration, abs=0.07)


@pytest.mark.parametrize(("body", "code"), [
    ({"seconds": 5}, "validation_error"),
    ({"aspect_ratio": "4:3"}, "validation_error"),
    ({"style": "nope"}, "generation.unknown_style"),
    ({"prompt": "x" * 2500}, "generation.prompt_too_long"),
    ({"shots": [{"prompt": "a", "seconds": 3}]}, "generation.invalid_duration"),
    ({"cameos": ["a_b_c", "d_e_f", "g_h_i"]}, "cameo.too_many"),
])
def test_bad_requests_make_no_job_and_no_charge(ana, django_capture_on_commit_callbacks, body,
                                                 code):
    _, client = ana
    before = balance(client)
    response = create(client, django_capture_on_commit_callbacks, **body)
    assert 400 <= response.status_code < 500
    assert response.json()["error"]["code"] == code
    assert Video.objects.count() == 0
    assert balance(client) == before


def test_blocked_prompt_and_evasion_give_no_job_and_no_charge(
        ana, django_capture_on_commit_callbacks):
    _, client = ana
    before = balance(client)
    for prompt in ("a nude woman on a beach", "a n.u.d.e woman on a beach",
                   "a n\u200bude woman on a beach"):
        response = create(client, django_capture_on_commit_callbacks, prompt=prompt)
        assert response.status_code == 422, prompt
        error = response.json()["error"]
        assert error["code"] == "moderation.prompt_blocked"
        assert "SAFETY.INPUT.SEXUAL" in error["fields"]["codes"]
    assert Video.objects.count() == 0 and balance(client) == before


def test_no_credits_is_402_and_no_job(ana, django_capture_on_commit_callbacks):
    user, client = ana
    credits_reserve(user_id=user.pk, amount=balance(client) - 3, reference="test:spent",
                    reason="spent elsewhere")
    count = Video.objects.count()
    response = create(client, django_capture_on_commit_callbacks, seconds=4)
    assert response.status_code == 402
    assert response.json()["error"]["code"] == "billing.insufficient_credits"
    assert Video.objects.count() == count


def test_idempotency_key_makes_one_job(ana, django_capture_on_commit_callbacks):
    _, client = ana
    headers = {"HTTP_IDEMPOTENCY_KEY": "try-1"}
    first = create(client, django_capture_on_commit_callbacks, headers=dict(headers))
    again = create(client, django_capture_on_commit_callbacks, headers=dict(headers))
    assert first.json()["id"] == again.json()["id"]
    assert Video.objects.count() == 1
    other = create(client, django_capture_on_commit_callbacks, prompt="other",
                   headers=dict(headers))
    assert other.status_code == 409


def test_cancel_queued_releases_credits(ana):
    _, client = ana
    before = balance(client)
    video_id = client.post(VIDEOS, {"prompt": "waves", "seconds": 4},
                           format="json").json()["id"]  # on_commit not run: stays queued
    assert balance(client) < before
    response = client.post(f"{VIDEOS}/{video_id}/cancel")
    assert response.status_code == 202 and response.json()["status"] == "cancelled"
    assert balance(client) == before
    again = client.post(f"{VIDEOS}/{video_id}/cancel")
    assert again.json()["error"]["code"] == "generation.not_cancellable"
    assert video_run(video_id=video_id) == "skipped"  # a late delivery does nothing


def test_task_delivered_twice_runs_once(ana):
    user, client = ana
    video_id = client.post(VIDEOS, {"prompt": "waves", "seconds": 4},
                           format="json").json()["id"]
    assert video_run(video_id=video_id) == "completed"
    assert video_run(video_id=video_id) == "skipped"
    captures = LedgerEntry.objects.filter(account__user=user, kind="capture").count()
    assert captures == 1


def test_other_peoples_videos_are_404(ana, user_factory, login,
                                      django_capture_on_commit_callbacks):
    _, client = ana
    video_id = create(client, django_capture_on_commit_callbacks).json()["id"]
    stranger = login(user_factory())
    for response in (stranger.get(f"{VIDEOS}/{video_id}"),
                     stranger.get(f"{VIDEOS}/{video_id}/content"),
                     stranger.post(f"{VIDEOS}/{video_id}/cancel"),
                     stranger.delete(f"{VIDEOS}/{video_id}"),
                     stranger.post(f"{VIDEOS}/{video_id}/remix", {"prompt": "mine"},
                                   format="json")):
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "not_found"


def test_remix_inherits_and_records_lineage(ana, django_capture_on_commit_callbacks):
    _, client = ana
    source = create(client, django_capture_on_commit_callbacks, aspect_ratio="16:9").json()
    with django_capture_on_commit_callbacks(execute=True):
        remix = client.post(f"{VIDEOS}/{source['id']}/remix", {"prompt": "same, at night"},
                            format="json")
    assert remix.status_code == 202
    body = client.get(f"{VIDEOS}/{remix.json()['id']}").json()
    assert body["remix_of"] == source["id"] and body["remix_depth"] == 1
    assert body["aspect_ratio"] == "16:9" and body["status"] == "completed"


def test_list_mine_with_cursor_and_delete(ana, django_capture_on_commit_callbacks):
    _, client = ana
    ids = [client.post(VIDEOS, {"prompt": f"clip {n}", "seconds": 4},
                       format="json").json()["id"] for n in range(3)]
    page = client.get(f"{VIDEOS}?page_size=2").json()
    assert [v["id"] for v in page["results"]] == ids[::-1][:2]
    rest = client.get(page["next"]).json()
    assert [v["id"] for v in rest["results"]] == [ids[0]]
    assert client.delete(f"{VIDEOS}/{ids[0]}").status_code == 204
    assert client.get(f"{VIDEOS}/{ids[0]}").status_code == 404


def test_concurrent_job_limit(ana, settings):
    _, client = ana
    settings.GENERATION_MAX_CONCURRENT_JOBS = 2
    for n in range(2):  # on_commit not run: both stay queued
        assert client.post(VIDEOS, {"prompt": f"clip {n}", "seconds": 4},
                           format="json").status_code == 202
    refused = client.post(VIDEOS, {"prompt": "one more", "seconds": 4}, format="json")
    assert refused.status_code == 429
    assert refused.json()["error"]["code"] == "generation.too_many_active_jobs"
    # A source that is not there (or not yours to use) is a 404 whatever the load: a 429 told
    # the client to retry in 10 s what can never work.
    missing = "00000000-0000-4000-8000-000000000000"
    for path, body in ((f"{VIDEOS}/{missing}/extend", {"prompt": "more", "seconds": 4}),
                       (f"{VIDEOS}/{missing}/remix", {"prompt": "again"}),
                       (VIDEOS, {"prompt": "again", "remix_of": missing})):
        answer = client.post(path, body, format="json")
        assert answer.status_code == 404, (path, answer.json())


def test_teen_daily_job_limit(user_factory, login, settings, django_capture_on_commit_callbacks):
    from datetime import date
    teen = user_factory(birthdate=date(date.today().year - 15, 1, 1))
    client = login(teen)
    settings.GENERATION_TEEN_DAILY_JOBS = 2
    for _ in range(2):
        assert create(client, django_capture_on_commit_callbacks).status_code == 202
    refused = create(client, django_capture_on_commit_callbacks)
    assert refused.status_code == 429
    assert refused.json()["error"]["code"] == "generation.teen_daily_limit"


def test_review_prompt_opens_a_case_and_holds_the_video(ana, django_capture_on_commit_callbacks):
    from moderation.models import Case
    _, client = ana
    response = create(client, django_capture_on_commit_callbacks,
                      prompt="a band playing bohemian rhapsody on a rooftop")
    assert response.status_code == 202, response.content
    assert response.json()["held_for_review"] is True
    case = Case.objects.get(target_type="video", target_id=response.json()["id"])
    assert case.status == "open"


def test_dismissed_review_case_releases_the_video(ana, user_factory, login,
                                                  django_capture_on_commit_callbacks):
    from moderation.models import Case
    _, client = ana
    video_id = create(client, django_capture_on_commit_callbacks,
                      prompt="a band playing bohemian rhapsody on a rooftop").json()["id"]
    moderator = login(user_factory(role="moderator"))
    case = Case.objects.get(target_type="video", target_id=video_id)
    decided = moderator.post(f"/api/v1/moderation/cases/{case.pk}/decide",
                             {"action": "dismiss", "reason_code": "no_violation"},
                             format="json")
    assert decided.status_code in (200, 201), decided.content
    assert client.get(f"{VIDEOS}/{video_id}").json()["held_for_review"] is False
