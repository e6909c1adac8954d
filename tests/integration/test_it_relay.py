"""A three-person story relay through real processes (HTTP, websockets, a Celery worker,
Postgres, Redis), then the cameo in its first clip withdrawn.

Ana's clip casts Dee. Bob continues it (Ana hears of it live), Cy continues Bob's. While Cy's
job is still to be made, Dee takes down Ana's clip: Bob's and Cy's videos hold her likeness
in Ana's footage, so they stop or come down with it; completed videos are refunded, Cy's held
credits released, and no file of Cy's is ever stored.

Ana's clip is made at 96x160 (the service takes an exact size; the app's API starts at 480p)
and an extension keeps its source's size, so the worker's three jobs take seconds.
"""

import time
import uuid
from typing import Any

import pytest

from accounts.models import User
from cameo.models import Receipt
from generation import services
from generation.models import Video

from .client import AppUser, next_event, register
from .stack import Stack
from .test_it_cameo import _verified_cameo

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def _user(stack: Stack, prefix: str) -> AppUser:
    return register(stack.base_url, f"{prefix}_{uuid.uuid4().hex[:6]}")


def _wait(user: AppUser, video_id: str, stack: Stack, timeout: float = 180) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        body = user.http.get(f"/api/v1/videos/{video_id}").json()
        if body["status"] not in ("queued", "in_progress"):
            assert body["status"] == "completed", (body, stack.logs())
            return body
        time.sleep(0.3)
    raise AssertionError(f"video {video_id} not done after {timeout}s: {stack.logs()}")


def _credits(user: AppUser) -> tuple[int, int]:
    body = user.http.get("/api/v1/credits").json()
    return body["total"], body["held"]


def _publish(user: AppUser, video_id: str) -> dict[str, Any]:
    response = user.http.post(f"/api/v1/videos/{video_id}/publish", json={})
    assert response.status_code == 201, response.text
    return response.json()


def test_three_person_relay_then_the_first_clips_cameo_withdrawn(services_stack: Stack) -> None:
    ana, bob, cy, dee = (_user(services_stack, name) for name in ("ana", "bob", "cy", "dee"))
    _verified_cameo(dee.handle)
    before = {person.handle: _credits(person) for person in (ana, bob, cy)}

    clip = services.video_create(user=User.objects.get(handle=ana.handle),
                                 request=services.VideoRequest(
                                     prompt="a kite over a beach", seconds=4, width=96,
                                     height=160, cameos=[dee.handle]))
    first = _wait(ana, str(clip.pk), services_stack)
    _publish(ana, first["id"])

    with ana.websocket(services_stack.ws_url) as ws:
        response = bob.http.post(f"/api/v1/videos/{first['id']}/extend",
                                 json={"prompt": "the kite dives into the sea", "seconds": 4})
        assert response.status_code == 202, response.text
        heard = next_event(ws, "generation.extended", timeout=30)
    assert heard["payload"]["extension_id"] == response.json()["id"]
    assert heard["payload"]["by"]["handle"] == bob.handle
    assert any(n["type"] == "generation.extended" for n in
               ana.http.get("/api/v1/notifications").json()["results"])
    second = _wait(bob, response.json()["id"], services_stack)
    assert second["seconds"] == 8 and second["duration_s"] == pytest.approx(8, abs=0.1)
    assert second["cost"] < 8  # the new 4 seconds only (tiny model: 1 credit a second)
    assert _publish(bob, second["id"])["authors"] == [ana.handle, bob.handle]

    response = cy.http.post(f"/api/v1/videos/{second['id']}/extend",
                            json={"prompt": "a fish carries the kite away", "seconds": 4})
    assert response.status_code == 202, response.text
    third = response.json()
    assert third["authors"] == [ana.handle, bob.handle, cy.handle]
    assert Receipt.objects.filter(video_id=third["id"], owner__handle=dee.handle,
                                  requester__handle=cy.handle).exists()  # consented again

    takedown = dee.http.delete(f"/api/v1/cameo/appearances/{first['id']}")
    assert takedown.status_code == 204, takedown.text

    ids = [first["id"], second["id"], third["id"]]
    statuses = dict(Video.objects.filter(pk__in=ids).values_list("pk", "status"))
    assert set(statuses.values()) == {"blocked"}  # in the revoking transaction itself
    time.sleep(5)  # a worker still on Cy's job reaches its next fence or its store
    videos = {str(v.pk): v for v in Video.objects.filter(pk__in=ids)}
    assert {v.status for v in videos.values()} == {"blocked"}
    assert not videos[third["id"]].video_file  # never stored
    for person in (ana, bob, cy):
        assert _credits(person) == before[person.handle], person.handle
    for video_id in ids[:2]:  # the published ones are gone from everyone's view
        assert cy.http.get(f"/api/v1/videos/{video_id}/post").status_code == 404
    refused = cy.http.post(f"/api/v1/videos/{second['id']}/extend", json={"prompt": "more"})
    assert refused.status_code == 404
