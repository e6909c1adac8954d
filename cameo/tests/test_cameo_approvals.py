"""Ask me for every video: the job parks without a worker waiting; approve, deny, expiry."""

from datetime import timedelta

import pytest
from cameo_factories import balance, make_video, verified_cameo
from django.utils import timezone

from cameo.approvals import approvals_expire_due
from cameo.models import Approval
from events.models import Notification
from generation.models import Video

pytestmark = pytest.mark.django_db


@pytest.fixture
def ana(user_factory, login):
    user = user_factory(handle="ana")
    verified_cameo(user, audience="everyone", ask_every_time=True)
    return user, login(user)


def test_job_waits_for_approval_then_runs(ana, bob, django_capture_on_commit_callbacks):
    ana_user, ana_client = ana
    bob_user, bob_client = bob
    job = make_video(bob_client, django_capture_on_commit_callbacks, cameos=["ana"],
                     run=True).json()
    video = Video.objects.get(pk=job["id"])
    # The worker ran, found the approval pending, parked the job and left.
    assert (video.status, video.stage, video.run_token) == ("queued", "awaiting_approval", "")
    requested = Notification.objects.get(user=ana_user, type="cameo.approval_requested")
    pending = ana_client.get("/api/v1/cameo/approvals?status=pending").json()["results"]
    assert [p["id"] for p in pending] == [requested.payload["approval_id"]]
    with django_capture_on_commit_callbacks(execute=True):
        decided = ana_client.post(f"/api/v1/cameo/approvals/{pending[0]['id']}",
                                  {"decision": "approve"}, format="json")
    assert decided.status_code == 200 and decided.json()["status"] == "approved"
    video.refresh_from_db()
    assert video.status == "completed", video.error_message
    assert Notification.objects.get(user=bob_user, type="cameo.approval_decided"
                                    ).payload["status"] == "approved"
    again = ana_client.post(f"/api/v1/cameo/approvals/{pending[0]['id']}",
                            {"decision": "deny"}, format="json")
    assert again.status_code == 409


def test_denied_job_is_blocked_and_credits_released(ana, bob,
                                                    django_capture_on_commit_callbacks):
    _, ana_client = ana
    _, bob_client = bob
    before = balance(bob_client)["total"]
    job = make_video(bob_client, django_capture_on_commit_callbacks, cameos=["ana"]).json()
    approval = Approval.objects.get()
    response = ana_client.post(f"/api/v1/cameo/approvals/{approval.pk}",
                               {"decision": "deny"}, format="json")
    assert response.status_code == 200
    video = Video.objects.get(pk=job["id"])
    assert (video.status, video.error_code) == ("blocked", "cameo.approval_denied")
    assert balance(bob_client)["total"] == before and balance(bob_client)["held"] == 0


def test_unanswered_request_expires(ana, bob, django_capture_on_commit_callbacks):
    _, bob_client = bob
    job = make_video(bob_client, django_capture_on_commit_callbacks, cameos=["ana"]).json()
    Approval.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert approvals_expire_due() == 1
    video = Video.objects.get(pk=job["id"])
    assert (video.status, video.error_code) == ("blocked", "cameo.approval_expired")
    assert Approval.objects.get().status == "expired"
    assert balance(bob_client)["held"] == 0
