"""Moderation fixtures: users by role and a fake target type registered for real."""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest

from accounts.models import User
from events.models import Notification
from moderation import targets


@dataclass
class FakeClips:
    """A stand-in app: clips with an owner, whose enforcement state the tests read back."""

    owners: dict[str, int] = field(default_factory=dict)
    state: dict[str, set[str]] = field(default_factory=dict)
    calls: list[tuple[str, str]] = field(default_factory=list)

    def add(self, clip_id: str, owner: User) -> str:
        self.owners[clip_id] = owner.pk
        self.state[clip_id] = set()
        return clip_id

    def owner_of(self, clip_id: str) -> int | None:
        return self.owners.get(clip_id)

    def enforce(self, clip_id: str, action: str) -> None:
        self.calls.append((clip_id, action))
        if action.startswith("un"):
            self.state[clip_id].discard(action.removeprefix("un"))
        else:
            self.state[clip_id].add(action)

    def describe(self, clip_id: str) -> dict[str, Any]:
        return {"title": f"Clip {clip_id}", "video_url": f"/media/clips/{clip_id}.mp4",
                "thumbnails": [f"/media/clips/{clip_id}-{n}.jpg" for n in range(3)],
                "prompt": f"prompt of {clip_id}",
                "provenance": {"c2pa": "valid", "watermark": "found"}}


@pytest.fixture
def clips(monkeypatch: pytest.MonkeyPatch) -> FakeClips:
    """Registered as target type "clip" through the public registry, for this test only."""
    monkeypatch.setattr(targets, "_registry", dict(targets._registry))
    fake = FakeClips()
    targets.target_register("clip", owner_of=fake.owner_of, enforce=fake.enforce,
                            describe=fake.describe)
    return fake


@pytest.fixture
def make_user(user_factory: Any) -> Callable[..., User]:
    def _make(handle: str, role: str = User.Role.MEMBER, **extra: Any) -> User:
        return user_factory(handle=handle, email=f"{handle}@example.com", role=role, **extra)

    return _make


@pytest.fixture
def moderator(make_user: Callable[..., User]) -> User:
    return make_user("mod_mia", User.Role.MODERATOR)


@pytest.fixture
def other_moderator(make_user: Callable[..., User]) -> User:
    return make_user("mod_omar", User.Role.MODERATOR)


@pytest.fixture
def senior(make_user: Callable[..., User]) -> User:
    return make_user("senior_sam", User.Role.SENIOR_MODERATOR)


@pytest.fixture
def events() -> Callable[..., list[dict[str, Any]]]:
    """Payloads of the stored events of one type for one user, oldest first."""

    def _events(user: User, type_: str) -> list[dict[str, Any]]:
        return list(Notification.objects.filter(user=user, type=type_).order_by("id")
                    .values_list("payload", flat=True))

    return _events


@pytest.fixture
def decided_clip(clips: FakeClips, make_user: Callable[..., User], moderator: User,
                 login: Callable[..., Any]) -> Callable[..., tuple[User, int]]:
    """owner_olga's clip c1, reported by rep_a and decided by `moderator`, all through the API:
    (the owner, the decision's id)."""

    def _decided(reason: str, action: str, reason_code: str) -> tuple[User, int]:
        owner = make_user("owner_olga")
        clips.add("c1", owner)
        case_id = login(make_user("rep_a")).post("/api/v1/reports", {
            "target_type": "clip", "target_id": "c1", "reason": reason},
            format="json").data["case_id"]
        decision_id = login(moderator).post(f"/api/v1/moderation/cases/{case_id}/decide", {
            "action": action, "reason_code": reason_code}, format="json").data["id"]
        return owner, decision_id

    return _decided
