"""Revocation takes effect at once: queued jobs blocked with credits released, running jobs
fenced, completed ones taken down with a refund; deleting a cameo erases everything."""

from pathlib import Path

import pytest
from cameo_factories import balance, make_video, verified_cameo

from cameo.casting import CameoCasting
from cameo.models import Cameo, CameoChallenge, CameoFrame, Enrollment, Grant, Receipt
from events.models import Notification
from generation.casting import FENCE_HOLDS, FenceVerdict
from generation.models import Video
from generation.transitions import video_transition

pytestmark = pytest.mark.django_db


@pytest.fixture
def ana(user_factory, login, bob):
    user = user_factory(handle="ana")
    verified_cameo(user, audience="approved")
    client = login(user)
    assert client.post("/api/v1/cameo/grants/bob", {}, format="json").status_code == 201
    return user, client


def test_removing_a_grant_blocks_queued_and_running_jobs_and_releases_credits(
        ana, bob, django_capture_on_commit_callbacks):
    _, ana_client = ana
    bob_user, bob_client = bob
    before = balance(bob_client)
    queued = make_video(bob_client, django_capture_on_commit_callbacks, cameos=["ana"]).json()
    running = make_video(bob_client, django_capture_on_commit_callbacks, cameos=["ana"]).json()
    video_transition(video_id=running["id"], to=Video.Status.IN_PROGRESS)
    assert balance(bob_client)["held"] > 0
    assert CameoCasting().fence(video_id=running["id"]) == FENCE_HOLDS

    assert ana_client.delete("/api/v1/cameo/grants/bob").status_code == 204

    for job in (queued, running):
        video = Video.objects.get(pk=job["id"])
        assert (video.status, video.error_code) == ("blocked", "cameo.consent_revoked")
        assert not video.video_file
    revoked = FenceVerdict.broken("cameo.consent_revoked")
    assert CameoCasting().fence(video_id=running["id"]) == revoked
    after = balance(bob_client)
    assert after["held"] == 0 and after["total"] == before["total"]
    assert Notification.objects.filter(user=bob_user, type="cameo.revoked").count() == 2
    refused = make_video(bob_client, django_capture_on_commit_callbacks, cameos=["ana"])
    assert refused.status_code == 403


def test_narrowing_the_audience_blocks_queued_jobs(ana, bob,
                                                  django_capture_on_commit_callbacks):
    _, ana_client = ana
    job = make_video(bob[1], django_capture_on_commit_callbacks, cameos=["ana"]).json()
    assert ana_client.patch("/api/v1/cameo/settings", {"audience": "only_me"},
                            format="json").status_code == 200
    assert Video.objects.get(pk=job["id"]).status == "blocked"


def test_an_expired_grant_stops_a_job_at_the_fence(ana, bob,
                                                   django_capture_on_commit_callbacks):
    from datetime import timedelta

    from django.utils import timezone

    job = make_video(bob[1], django_capture_on_commit_callbacks, cameos=["ana"]).json()
    Grant.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert CameoCasting().fence(video_id=job["id"]) == FenceVerdict.broken("cameo.consent_revoked")


def test_completed_video_is_taken_down_with_a_refund(ana, bob,
                                                     django_capture_on_commit_callbacks):
    _ana_user, ana_client = ana
    _, bob_client = bob
    before = balance(bob_client)["total"]
    job = make_video(bob_client, django_capture_on_commit_callbacks, cameos=["ana"],
                     run=True).json()
    video = Video.objects.get(pk=job["id"])
    assert video.status == "completed", video.error_message
    assert balance(bob_client)["total"] == before - job["cost"]
    appearances = ana_client.get("/api/v1/cameo/appearances").json()["results"]
    assert [(a["video_id"], a["requester"], a["status"]) for a in appearances] == [
        (job["id"], "bob", "completed")]
    assert ana_client.get(f"/api/v1/videos/{job['id']}/content").status_code == 200

    assert ana_client.post("/api/v1/cameo/blocks/bob").status_code == 201

    video.refresh_from_db()
    assert (video.status, video.error_code) == ("blocked", "cameo.consent_revoked")
    assert balance(bob_client)["total"] == before
    again = ana_client.delete(f"/api/v1/cameo/appearances/{job['id']}")
    assert again.status_code == 409


def test_owner_takes_down_one_draft(ana, bob, django_capture_on_commit_callbacks):
    _ana_user, ana_client = ana
    bob_user, bob_client = bob
    job = make_video(bob_client, django_capture_on_commit_callbacks, cameos=["ana"]).json()
    assert ana_client.delete(f"/api/v1/cameo/appearances/{job['id']}").status_code == 204
    video = Video.objects.get(pk=job["id"])
    assert (video.status, video.error_code) == ("blocked", "cameo.takedown")
    assert Notification.objects.filter(user=bob_user, type="cameo.takedown").exists()
    assert balance(bob_client)["held"] == 0


def test_deleting_the_cameo_erases_frames_and_encodings(ana, bob,
                                                        django_capture_on_commit_callbacks):
    _ana_user, ana_client = ana
    job = make_video(bob[1], django_capture_on_commit_callbacks, cameos=["ana"]).json()
    paths = [Path(frame.image.path) for frame in CameoFrame.objects.all()]
    assert paths and all(path.is_file() for path in paths)
    with django_capture_on_commit_callbacks(execute=True):
        assert ana_client.delete("/api/v1/cameo/me").status_code == 204
    assert not any(path.exists() for path in paths)
    assert not Cameo.objects.exists() and not CameoFrame.objects.exists()
    assert not Enrollment.objects.exists() and not Grant.objects.exists()
    assert Video.objects.get(pk=job["id"]).status == "blocked"
    assert Receipt.objects.get(video_id=job["id"]).revoked_at is not None
    assert ana_client.get("/api/v1/cameo/me").status_code == 404


def test_account_erasure_erases_the_cameo(ana, django_capture_on_commit_callbacks):
    from accounts.services import account_delete
    from tests.factories import PASSWORD

    ana_user, ana_client = ana
    ana_client.post("/api/v1/cameo/challenge")
    paths = [Path(frame.image.path) for frame in CameoFrame.objects.all()]
    with django_capture_on_commit_callbacks(execute=True):
        account_delete(user=ana_user, password=PASSWORD)
    assert not Cameo.objects.exists() and not CameoFrame.objects.exists()
    assert not CameoChallenge.objects.exists()
    assert not any(path.exists() for path in paths)
