"""Cameo revocation racing real workers: Postgres, Redis, a Celery worker process."""

import io
import time
import uuid

import numpy as np
import pytest
from django.utils import timezone
from PIL import Image

from accounts.models import User
from cameo import vault
from cameo.models import Cameo, CameoFrame
from events.models import Notification
from generation.models import Video

from .client import AppUser, register
from .stack import Stack

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def _verified_cameo(handle: str) -> None:
    """A verified cameo written straight to the database (enrollment is tested elsewhere)."""
    owner = User.objects.get(handle=handle)
    cameo = Cameo.objects.create(owner=owner, status="verified", audience="everyone",
                                 verified_at=timezone.now())
    cameo.encoding = vault.seal_encoding(np.random.default_rng(1).normal(0, 0.1, 128),
                                         bound_to=f"cameo:{cameo.pk}")
    cameo.save()
    frame = CameoFrame.objects.create(cameo=cameo, position=0, encoding=cameo.encoding)
    jpeg = io.BytesIO()
    Image.new("RGB", (64, 64), (180, 120, 90)).save(jpeg, format="JPEG")
    frame.encoding = vault.seal_encoding(np.zeros(128), bound_to=f"frame:{frame.pk}")
    frame.image.save(f"{frame.pk}.bin", vault.sealed_file(jpeg.getvalue(),
                                                          bound_to=f"frame:{frame.pk}"))


def _user(stack: Stack, prefix: str) -> AppUser:
    return register(stack.base_url, f"{prefix}_{uuid.uuid4().hex[:8]}")


def _statuses(ids: list[str]) -> dict[str, str]:
    return {str(pk): status for pk, status in
            Video.objects.filter(pk__in=ids).values_list("pk", "status")}


def test_revoke_while_jobs_are_queued_and_running(services_stack):
    owner, fans = _user(services_stack, "star"), [_user(services_stack, "fan") for _ in range(2)]
    _verified_cameo(owner.handle)
    before = {fan.handle: fan.http.get("/api/v1/credits").json()["total"] for fan in fans}
    ids = []
    for fan in fans:
        for _ in range(2):
            response = fan.http.post("/api/v1/videos", json={
                "prompt": f"@{owner.handle} walking through a long market", "seconds": 20,
                "resolution": "720p"})
            assert response.status_code == 202, response.text
            ids.append(response.json()["id"])
    deadline = time.monotonic() + 120
    while "in_progress" not in {str(s) for s in _statuses(ids).values()}:
        assert time.monotonic() < deadline, "no job started"
        time.sleep(0.2)
    assert "queued" in {str(s) for s in _statuses(ids).values()}  # the worker runs two at once

    revoked = owner.http.patch("/api/v1/cameo/settings", json={"audience": "only_me"})
    assert revoked.status_code == 200, revoked.text

    # Blocked in the revoking transaction itself, whatever the workers were doing.
    assert set(_statuses(ids).values()) == {"blocked"}
    time.sleep(8)  # give running workers time to reach their next fence or store
    videos = Video.objects.filter(pk__in=ids)
    assert {v.status for v in videos} == {"blocked"}
    assert {v.error_code for v in videos} == {"cameo.consent_revoked"}
    assert not any(v.video_file for v in videos)
    for fan in fans:
        credits = fan.http.get("/api/v1/credits").json()
        assert credits["total"] == before[fan.handle] and credits["held"] == 0
        user = User.objects.get(handle=fan.handle)
        assert not Notification.objects.filter(user=user, type="generation.completed").exists()
        assert Notification.objects.filter(user=user, type="cameo.revoked").count() == 2
