"""Storyboard writes: drafts, shots with a version each, collaborators, generate.

Every write to one storyboard locks its row first, so writes to it queue and the limits (shot
count, total seconds) hold under concurrency; a shot write also names the version it read and
is a conditional UPDATE on it, so a stale write is a 409 carrying the current shot, never a
silent overwrite. Each change bumps the storyboard's revision and is published after commit:
stored as an event to every member (replayed by /ws/events) and told live to the storyboard's
room (/ws/storyboards/<id>).
"""

from typing import Any
from uuid import UUID

from django.db import transaction
from django.db.models import F

from accounts.facade import User, active_user_by_handle, is_blocked_between
from core.errors import ConflictError, DomainError, ForbiddenError, NotFoundError
from events.facade import room_close_user

from ..models import Video
from ..services import VideoRequest, video_create
from .events import room_of, storyboard_access_removed_publish, storyboard_changed_publish
from .models import Storyboard, StoryboardCollaborator, StoryboardShot
from .selectors import OWNER, member_ids, membership, shot_out

MAX_SHOTS = 6  # what one generation takes (generation's own shots limit)
MAX_SECONDS = 20  # a storyboard is short; long videos are one prompt made in segments
MAX_COLLABORATORS = 64
SHOT_FIELDS = ("prompt", "seconds", "camera", "dialogue", "ambient", "music", "dialogue_on",
               "ambient_on", "music_on")
Role = StoryboardCollaborator.Role


def _locked(user: User, storyboard_id: UUID, *, need: str) -> tuple[Storyboard, str]:
    """The storyboard's row locked, and the user's role; `need`: "edit" or "own"."""
    membership(user=user, storyboard_id=storyboard_id)  # a 404 before taking any lock
    Storyboard.objects.select_for_update().filter(pk=storyboard_id).first()
    # Read again under the lock: a removal that committed while we waited counts.
    storyboard, role = membership(user=user, storyboard_id=storyboard_id)
    if need == "own" and role != OWNER:
        raise ForbiddenError("storyboards.owner_only",
                             "Only the storyboard's owner can do this.")
    if need == "edit" and role not in (OWNER, Role.EDITOR):
        raise ForbiddenError("storyboards.read_only", "You can view this storyboard, not edit "
                             "it.")
    return storyboard, role


def _check_length(storyboard: Storyboard, *, adding: int, replacing: StoryboardShot | None
                  = None, shots: int = 0) -> None:
    rows = storyboard.shots.exclude(pk=replacing.pk) if replacing else storyboard.shots.all()
    if rows.count() + shots > MAX_SHOTS:
        raise DomainError("storyboards.too_many_shots",
                          f"A storyboard has at most {MAX_SHOTS} shots.",
                          fields={"shots": ["Too many."]})
    total = sum(rows.values_list("seconds", flat=True)) + adding
    if total > MAX_SECONDS:
        raise DomainError("storyboards.too_long",
                          f"A storyboard's shots add up to at most {MAX_SECONDS} seconds.",
                          fields={"seconds": [f"They would add up to {total} s."]})


def _changed(storyboard: Storyboard, user: User, kind: str, **data: Any) -> None:
    Storyboard.objects.filter(pk=storyboard.pk).update(revision=F("revision") + 1)
    storyboard.refresh_from_db(fields=["revision", "updated_at"])
    storyboard_changed_publish(storyboard=storyboard, member_ids=member_ids(storyboard),
                               kind=kind, by=user.handle, data=data)


@transaction.atomic
def storyboard_create(*, user: User, title: str, shots: list[dict[str, Any]]) -> Storyboard:
    storyboard = Storyboard.objects.create(owner=user, title=title)
    _check_length(storyboard, adding=sum(int(s["seconds"]) for s in shots), shots=len(shots))
    StoryboardShot.objects.bulk_create(
        [StoryboardShot(storyboard=storyboard, position=index, updated_by=user,
                        **{key: shot[key] for key in SHOT_FIELDS if key in shot})
         for index, shot in enumerate(shots)])
    return storyboard


@transaction.atomic
def shot_add(*, user: User, storyboard_id: UUID, shot: dict[str, Any],
             position: int | None = None) -> StoryboardShot:
    storyboard, _ = _locked(user, storyboard_id, need="edit")
    _check_length(storyboard, adding=int(shot["seconds"]), shots=1)
    order = list(storyboard.shots.values_list("pk", flat=True))
    at = len(order) if position is None else max(0, min(position, len(order)))
    created = StoryboardShot.objects.create(
        storyboard=storyboard, position=at, updated_by=user,
        **{key: shot[key] for key in SHOT_FIELDS if key in shot})
    order.insert(at, created.pk)
    _renumber(storyboard, order)
    created.refresh_from_db()
    _changed(storyboard, user, "shot.added", shot=shot_out(created, user.handle),
             order=order)
    return created


def _renumber(storyboard: Storyboard, order: list[int]) -> None:
    shots = {s.pk: s for s in storyboard.shots.all()}
    for index, pk in enumerate(order):
        shots[pk].position = index
    StoryboardShot.objects.bulk_update(shots.values(), ["position"])


def _shot(storyboard: Storyboard, shot_id: int) -> StoryboardShot:
    shot = storyboard.shots.filter(pk=shot_id).first()
    if shot is None:
        raise NotFoundError("storyboards.shot_not_found", "No such shot in this storyboard.")
    return shot


def _stale(shot: StoryboardShot, version: int) -> ConflictError:
    current = StoryboardShot.objects.select_related("updated_by").get(pk=shot.pk)
    handle = current.updated_by.handle if current.updated_by else ""
    return ConflictError("storyboards.stale_shot",
                         f"This shot changed since you read version {version}; it is at "
                         f"version {current.version} now.",
                         fields={"current": shot_out(current, handle)})


@transaction.atomic
def shot_update(*, user: User, storyboard_id: UUID, shot_id: int, version: int,
                changes: dict[str, Any]) -> StoryboardShot:
    storyboard, _ = _locked(user, storyboard_id, need="edit")
    shot = _shot(storyboard, shot_id)
    if "seconds" in changes:
        _check_length(storyboard, adding=int(changes["seconds"]), replacing=shot)
    fields = {key: changes[key] for key in SHOT_FIELDS if key in changes}
    # Conditional on the version read: even a writer that skipped the lock cannot overwrite.
    updated = StoryboardShot.objects.filter(pk=shot.pk, version=version).update(
        **fields, version=F("version") + 1, updated_by=user)
    if not updated:
        raise _stale(shot, version)
    shot.refresh_from_db()
    _changed(storyboard, user, "shot.updated", shot=shot_out(shot, user.handle))
    return shot


@transaction.atomic
def shot_delete(*, user: User, storyboard_id: UUID, shot_id: int, version: int | None) -> None:
    storyboard, _ = _locked(user, storyboard_id, need="edit")
    shot = _shot(storyboard, shot_id)
    rows = StoryboardShot.objects.filter(pk=shot.pk)
    if version is not None:
        rows = rows.filter(version=version)
    if not rows.delete()[0]:
        raise _stale(shot, version or 0)
    order = list(storyboard.shots.values_list("pk", flat=True))
    _renumber(storyboard, order)
    _changed(storyboard, user, "shot.deleted", shot_id=shot_id, order=order)


@transaction.atomic
def shots_reorder(*, user: User, storyboard_id: UUID, order: list[int]) -> list[int]:
    storyboard, _ = _locked(user, storyboard_id, need="edit")
    current = set(storyboard.shots.values_list("pk", flat=True))
    if len(order) != len(current) or set(order) != current:
        raise DomainError("storyboards.bad_order", "The order must name every shot of the "
                          "storyboard once.", fields={"order": ["Not the storyboard's shots."]})
    _renumber(storyboard, order)
    _changed(storyboard, user, "shots.reordered", order=order)
    return order


@transaction.atomic
def collaborator_add(*, user: User, storyboard_id: UUID, handle: str, role: str
                     ) -> StoryboardCollaborator:
    storyboard, _ = _locked(user, storyboard_id, need="own")
    other = active_user_by_handle(handle=handle.removeprefix("@"))
    if other is None:
        raise NotFoundError("storyboards.unknown_handle", "Nobody has that handle.",
                            fields={"handle": ["Unknown."]})
    if other.pk == storyboard.owner_id:
        raise DomainError("storyboards.owner_is_member", "The owner is on the storyboard "
                          "already.", fields={"handle": ["That is you."]})
    if is_blocked_between(user.pk, other.pk):
        raise ForbiddenError("storyboards.collaborator_blocked",
                             "You can't share a storyboard with someone you have blocked or "
                             "who has blocked you.", fields={"handle": ["Blocked."]})
    existing = storyboard.collaborators.filter(user=other).first()
    if existing is None and storyboard.collaborators.count() >= MAX_COLLABORATORS:
        raise DomainError("storyboards.too_many_collaborators", f"A storyboard has at most "
                          f"{MAX_COLLABORATORS} collaborators.", fields={"handle": ["Full."]})
    collaborator, _ = StoryboardCollaborator.objects.update_or_create(
        storyboard=storyboard, user=other, defaults={"role": role})
    _changed(storyboard, user, "collaborator.added", handle=other.handle, role=role)
    return collaborator


@transaction.atomic
def collaborator_remove(*, user: User, storyboard_id: UUID, handle: str) -> None:
    """Their access ends with the commit: REST answers 404 and their open sockets close."""
    storyboard, _ = _locked(user, storyboard_id, need="own")
    other = active_user_by_handle(handle=handle.removeprefix("@"))
    removed = other is not None and storyboard.collaborators.filter(user=other).delete()[0]
    if not removed or other is None:
        raise NotFoundError("storyboards.not_a_collaborator", "That person is not on this "
                            "storyboard.", fields={"handle": ["Not a collaborator."]})
    _changed(storyboard, user, "collaborator.removed", handle=other.handle)
    storyboard_access_removed_publish(storyboard=storyboard, user_id=other.pk)
    room_close_user(room=room_of(storyboard.pk), user_id=other.pk)


def _shot_request(shot: StoryboardShot) -> dict[str, Any]:
    return {key: getattr(shot, key) for key in SHOT_FIELDS}


@transaction.atomic
def storyboard_generate(*, user: User, storyboard_id: UUID, options: dict[str, Any]) -> Video:
    """Any editor generates; the presser pays (video_create reserves their credits), cameos
    are cast and consent as in any video, and every member is credited."""
    storyboard, _ = _locked(user, storyboard_id, need="edit")
    shots = list(storyboard.shots.all())
    if not shots:
        raise DomainError("storyboards.empty", "Add a shot before generating.",
                          fields={"shots": ["None yet."]})
    handles = [storyboard.owner.handle, *storyboard.collaborators.order_by("created_at")
               .values_list("user__handle", flat=True)]
    video = video_create(user=user, request=VideoRequest(
        prompt=storyboard.title or shots[0].prompt, shots=[_shot_request(s) for s in shots],
        storyboard_id=storyboard.pk, collaborators=handles, **options))
    _changed(storyboard, user, "generated", video_id=str(video.pk))
    return video
