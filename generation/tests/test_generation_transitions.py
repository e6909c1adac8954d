"""A video moves only as generation.transitions' table allows; every move is audited."""

import pytest

from core.errors import ConflictError
from generation.models import Video, VideoTransition
from generation.transitions import video_transition

pytestmark = pytest.mark.django_db

VIDEOS = "/api/v1/videos"


@pytest.fixture
def job(user_factory, login):
    owner = user_factory(handle="ana")
    client = login(owner)
    created = client.post(VIDEOS, {"prompt": "a lighthouse", "seconds": 4}, format="json")
    assert created.status_code == 202
    return owner, client, created.json()["id"]


def test_an_ended_video_cannot_move_and_nothing_is_recorded_or_settled(job):
    owner, client, video_id = job
    video_transition(video_id=video_id, to=Video.Status.CANCELLED, actor_id=owner.pk,
                     reason="owner_cancelled")
    credits = client.get("/api/v1/credits").json()
    with pytest.raises(ConflictError) as refused:
        video_transition(video_id=video_id, to=Video.Status.COMPLETED, reason="late worker")
    assert refused.value.code == "generation.invalid_transition"
    assert refused.value.status_code == 409
    assert Video.objects.get(pk=video_id).status == "cancelled"
    assert client.get("/api/v1/credits").json() == credits
    moves = VideoTransition.objects.filter(video_id=video_id)
    assert [(m.from_status, m.to_status, m.actor_id, m.reason) for m in moves] == [
        ("queued", "cancelled", owner.pk, "owner_cancelled")]


def test_a_blocked_video_without_a_stored_file_cannot_be_restored(job):
    _, _, video_id = job
    video_transition(video_id=video_id, to=Video.Status.BLOCKED, reason="moderation")
    with pytest.raises(ConflictError) as refused:
        video_transition(video_id=video_id, to=Video.Status.COMPLETED, reason="appeal upheld")
    assert refused.value.code == "generation.invalid_transition"
    assert Video.objects.get(pk=video_id).status == "blocked"
