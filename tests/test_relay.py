"""Story relays through the API, in process: POST /api/v1/videos/{id}/extend, who may continue
whose video, what a refusal leaves behind (nothing), what it costs, who hears of it, the chain
of authors on the video and the post, and a consent withdrawn from a clip reaching every
extension of it. Jobs are moved by the real transitions (credits follow) instead of being run:
the file-level checks are in generation/tests/test_relay_file.py."""

from typing import Any

import pytest

from billing.facade import credits_quote
from cameo.models import Receipt
from cameo.tests.cameo_factories import verified_cameo
from events.models import Notification
from feed.models import Post
from generation.models import Video
from generation.transitions import video_transition

pytestmark = pytest.mark.django_db

S = Video.Status


def _finished(video_id: Any) -> Video:
    """A job the worker made and stored (credits captured by the transition)."""
    video_transition(video_id=video_id, to=S.IN_PROGRESS, reason="test worker")
    Video.objects.filter(pk=video_id).update(video_file=f"videos/{video_id}.mp4")
    return video_transition(video_id=video_id, to=S.COMPLETED, reason="test worker")


def _create(client: Any, capture: Any, **body: Any) -> dict[str, Any]:
    body.setdefault("prompt", "a paper boat on a river")
    body.setdefault("seconds", 4)
    with capture(execute=False):
        response = client.post("/api/v1/videos", body, format="json")
    assert response.status_code == 202, response.content
    return response.json()


def _extend(client: Any, capture: Any, video_id: Any, **body: Any) -> Any:
    body.setdefault("prompt", "the boat reaches the sea")
    headers = body.pop("headers", {})
    with capture(execute=False):
        return client.post(f"/api/v1/videos/{video_id}/extend", body, format="json", **headers)


def _credits(client: Any) -> tuple[int, int]:
    body = client.get("/api/v1/credits").json()
    return body["total"], body["held"]


def _publish(client: Any, video_id: Any, **settings: Any) -> dict[str, Any]:
    response = client.post(f"/api/v1/videos/{video_id}/publish", settings, format="json")
    assert response.status_code in (200, 201), response.content
    return response.json()


@pytest.fixture
def people(user_factory: Any, login: Any) -> dict[str, tuple[Any, Any]]:
    return {handle: (user, login(user)) for handle in ("ana", "bob", "cy")
            for user in [user_factory(handle=handle)]}


def test_extending_your_own_video_costs_the_new_seconds_only(
        people: Any, django_capture_on_commit_callbacks: Any) -> None:
    _, client = people["ana"]
    source = _finished(_create(client, django_capture_on_commit_callbacks, seconds=8)["id"])
    before_total, _ = _credits(client)
    response = _extend(client, django_capture_on_commit_callbacks, source.pk, seconds=4)
    assert response.status_code == 202, response.content
    body = response.json()
    new_seconds = credits_quote(model=source.model_name, seconds=4, resolution="480p", shots=1)
    whole = credits_quote(model=source.model_name, seconds=12, resolution="480p", shots=1)
    assert body["cost"] == new_seconds < whole
    assert body["seconds"] == 12 and body["extends"] == str(source.pk)
    assert body["remix_of"] == str(source.pk) and body["authors"] == ["ana"]
    assert _credits(client) == (before_total - new_seconds, new_seconds)  # held, not spent
    assert not Notification.objects.filter(type="generation.extended").exists()  # own relay

    # Shots for the new segment: their sum is what is paid for (with the shot surcharge).
    shots = [{"prompt": "waves", "seconds": 4}, {"prompt": "a lighthouse", "seconds": 4}]
    response = _extend(client, django_capture_on_commit_callbacks, source.pk, shots=shots)
    assert response.status_code == 202, response.content
    body = response.json()
    assert body["seconds"] == 16 and [s["prompt"] for s in body["shots"]] == ["waves",
                                                                                "a lighthouse"]
    assert body["cost"] == credits_quote(model=source.model_name, seconds=8, resolution="480p",
                                         shots=2)


def test_refused_extensions_write_nothing_and_hold_nothing(
        people: Any, django_capture_on_commit_callbacks: Any) -> None:
    _, client = people["ana"]
    capture = django_capture_on_commit_callbacks
    queued = Video.objects.get(pk=_create(client, capture)["id"])
    running = Video.objects.get(pk=_create(client, capture)["id"])
    video_transition(video_id=running.pk, to=S.IN_PROGRESS)
    failed = Video.objects.get(pk=_create(client, capture)["id"])
    video_transition(video_id=failed.pk, to=S.FAILED, error_code="generation.internal_error")
    blocked = _finished(_create(client, capture)["id"])
    video_transition(video_id=blocked.pk, to=S.BLOCKED, reason="moderation")
    held = _finished(_create(client, capture)["id"])
    Video.objects.filter(pk=held.pk).update(held_for_review=True)
    deleted = _finished(_create(client, capture)["id"])
    assert client.delete(f"/api/v1/videos/{deleted.pk}").status_code == 204
    long = _finished(_create(client, capture, seconds=20)["id"])
    Video.objects.filter(pk=long.pk).update(seconds=48)  # a relay 48 s long already
    rows, credits = Video.objects.count(), _credits(client)
    assert credits[1] > 0  # the queued and running jobs hold theirs; nothing more is added

    for source in (queued, running, failed, blocked, held, deleted):
        response = _extend(client, capture, source.pk, seconds=4)
        assert response.status_code == 409, (source.status, response.content)
        assert response.json()["error"]["code"] == "generation.source_not_extendable"
    response = _extend(client, capture, long.pk, seconds=16)  # 64 s in all
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "generation.invalid_duration"
    response = _extend(client, capture, long.pk, seconds=3)
    assert response.status_code == 400 and "seconds" in response.json()["error"]["fields"]
    response = _extend(client, capture, "00000000-0000-4000-8000-000000000000")
    assert response.status_code == 404
    assert Video.objects.count() == rows and _credits(client) == credits
    assert not Notification.objects.filter(type="generation.extended").exists()


def test_who_may_continue_someone_elses_video(people: Any, user_factory: Any, login: Any,
                                             django_capture_on_commit_callbacks: Any) -> None:
    capture = django_capture_on_commit_callbacks
    ana, ana_client = people["ana"]
    bob, bob_client = people["bob"]
    source = _finished(_create(ana_client, capture)["id"])
    assert _extend(bob_client, capture, source.pk).status_code == 404  # not published

    post = _publish(ana_client, source.pk, allow_extend=False)
    assert post["allow_extend"] is False and post["allow_remix"] is True
    assert _extend(bob_client, capture, source.pk).status_code == 404
    # Remixing is still allowed: the two settings are separate.
    with capture(execute=False):
        remix = bob_client.post(f"/api/v1/videos/{source.pk}/remix", {"prompt": "again"},
                                format="json")
    assert remix.status_code == 202

    for private in ({"visibility": "private"}, {"visibility": "followers"}):
        _publish(ana_client, source.pk, **private)
        assert _extend(bob_client, capture, source.pk).status_code == 404, private

    assert _publish(ana_client, source.pk)["allow_extend"] is True  # the update turns it on
    assert Post.objects.get(video_id=source.pk).allow_extend
    ana_client.post("/api/v1/users/bob/block")
    assert _extend(bob_client, capture, source.pk).status_code == 404
    ana_client.delete("/api/v1/users/bob/block")

    response = _extend(bob_client, capture, source.pk, seconds=8)
    assert response.status_code == 202, response.content
    extension = response.json()
    assert extension["authors"] == ["ana", "bob"]
    heard = Notification.objects.get(user=ana, type="generation.extended")
    assert heard.payload["video_id"] == str(source.pk)
    assert heard.payload["extension_id"] == extension["id"]
    assert heard.payload["by"]["handle"] == "bob"
    assert not Notification.objects.filter(user=bob, type="generation.extended").exists()


def test_idempotent_extend(people: Any, django_capture_on_commit_callbacks: Any) -> None:
    _, client = people["ana"]
    source = _finished(_create(client, django_capture_on_commit_callbacks)["id"])
    key = {"HTTP_IDEMPOTENCY_KEY": "relay-1"}
    first = _extend(client, django_capture_on_commit_callbacks, source.pk, headers=key)
    again = _extend(client, django_capture_on_commit_callbacks, source.pk, headers=key)
    assert first.status_code == again.status_code == 202
    assert first.json()["id"] == again.json()["id"]
    assert Video.objects.filter(remix_of=source).count() == 1
    other = _extend(client, django_capture_on_commit_callbacks, source.pk, headers=key,
                    prompt="something else")
    assert other.status_code == 409


def test_chain_of_authors_on_the_video_the_post_and_feed_pages(
        people: Any, django_capture_on_commit_callbacks: Any) -> None:
    capture = django_capture_on_commit_callbacks
    _, ana_client = people["ana"]
    _, bob_client = people["bob"]
    _, cy_client = people["cy"]
    source = _finished(_create(ana_client, capture)["id"])
    _publish(ana_client, source.pk)
    middle = _finished(_extend(bob_client, capture, source.pk).json()["id"])
    _publish(bob_client, middle.pk)
    last = _finished(_extend(cy_client, capture, middle.pk).json()["id"])
    assert cy_client.get(f"/api/v1/videos/{last.pk}").json()["authors"] == ["ana", "bob", "cy"]
    listed = cy_client.get("/api/v1/videos").json()["results"]
    assert [v["authors"] for v in listed] == [["ana", "bob", "cy"]]

    post = _publish(cy_client, last.pk, caption="the end")
    assert post["authors"] == ["ana", "bob", "cy"] and post["allow_extend"] is True
    page = ana_client.get("/api/v1/users/cy/posts").json()["results"]
    assert page == [ana_client.get(f"/api/v1/videos/{last.pk}/post").json()]
    assert page[0]["authors"] == ["ana", "bob", "cy"]
    assert ana_client.get(f"/api/v1/videos/{source.pk}/post").json()["authors"] == ["ana"]


def test_a_consent_withdrawn_from_a_clip_reaches_every_extension(
        people: Any, user_factory: Any, login: Any,
        django_capture_on_commit_callbacks: Any) -> None:
    """Dee is cast in Ana's clip; Bob continues it, Cy continues Bob's (still queued). Dee
    takes Ana's clip down: Bob's and Cy's, which carry her likeness in Ana's footage, go too;
    the completed ones are refunded, the queued one's hold released."""
    capture = django_capture_on_commit_callbacks
    dee = user_factory(handle="dee")
    verified_cameo(dee)
    dee_client = login(dee)
    clients = {handle: people[handle][1] for handle in ("ana", "bob", "cy")}
    before = {handle: _credits(client) for handle, client in clients.items()}
    source = _finished(_create(clients["ana"], capture, cameos=["dee"])["id"])
    _publish(clients["ana"], source.pk)
    middle = _finished(_extend(clients["bob"], capture, source.pk).json()["id"])
    _publish(clients["bob"], middle.pk)
    last = _extend(clients["cy"], capture, middle.pk).json()
    receipts = Receipt.objects.filter(owner=dee)
    assert {str(r.video_id) for r in receipts} == {str(source.pk), str(middle.pk), last["id"]}
    assert receipts.get(video_id=middle.pk).requester.handle == "bob"  # each consents again
    assert _credits(clients["cy"])[1] == last["cost"]

    response = dee_client.delete(f"/api/v1/cameo/appearances/{source.pk}")
    assert response.status_code == 204, response.content

    statuses = dict(Video.objects.filter(pk__in=[source.pk, middle.pk, last["id"]])
                    .values_list("pk", "status"))
    assert set(statuses.values()) == {S.BLOCKED}
    assert not receipts.filter(revoked_at__isnull=True).exists()
    for handle, client in clients.items():
        assert _credits(client) == before[handle], handle  # refunded, or released
    revoked = Notification.objects.filter(type="cameo.revoked")
    assert sorted(n.user.handle for n in revoked) == ["ana", "bob", "cy"]
    # The chain cannot be continued from any of them now.
    for video_id in (source.pk, middle.pk):
        assert _extend(clients["ana"], capture, video_id).status_code in (404, 409)


def test_a_source_taken_down_while_its_extension_waits_fails_it_with_credits_back(
        people: Any, django_capture_on_commit_callbacks: Any) -> None:
    """The worker checks the source again: moderation took it down after the job was made,
    so the whole would carry it again; the job fails, its hold released, no file."""
    from generation.pipeline import video_run

    _, client = people["ana"]
    source = _finished(_create(client, django_capture_on_commit_callbacks)["id"])
    before = _credits(client)
    job = _extend(client, django_capture_on_commit_callbacks, source.pk).json()
    video_transition(video_id=source.pk, to=S.BLOCKED, reason="moderation removal")
    assert video_run(video_id=job["id"]) == S.FAILED
    failed = Video.objects.get(pk=job["id"])
    assert failed.error_code == "generation.extension_source_gone" and not failed.video_file
    assert _credits(client) == before
