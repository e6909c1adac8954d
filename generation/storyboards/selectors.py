"""Storyboard reads: who may see one (and as what), and the shapes clients get."""

from typing import Any
from uuid import UUID

from django.db.models import Q, QuerySet

from accounts.facade import User, is_blocked_between
from core.errors import NotFoundError

from .models import Storyboard, StoryboardCollaborator, StoryboardShot

OWNER = "owner"


def membership(*, user: User, storyboard_id: UUID) -> tuple[Storyboard, str]:
    """The storyboard and the user's role in it ("owner", "editor", "viewer"); anyone else
    (a removed collaborator, someone blocked either way with the owner) gets a 404 that says
    nothing about whether it exists."""
    storyboard = Storyboard.objects.select_related("owner").filter(pk=storyboard_id).first()
    role: str | None = None
    if storyboard is not None:
        if storyboard.owner_id == user.pk:
            role = OWNER
        elif not is_blocked_between(user.pk, storyboard.owner_id):
            role = (StoryboardCollaborator.objects.filter(storyboard=storyboard, user=user)
                    .values_list("role", flat=True).first())
    if storyboard is None or role is None:
        raise NotFoundError("storyboards.not_found", "No such storyboard.")
    return storyboard, role


def storyboards_of(*, user: User) -> QuerySet[Storyboard]:
    """The ones the user owns or is on, newest first."""
    return (Storyboard.objects.filter(Q(owner=user) | Q(collaborators__user=user))
            .select_related("owner").distinct().order_by("-created_at", "-pk"))


def member_ids(storyboard: Storyboard) -> list[int]:
    return [storyboard.owner_id,
            *storyboard.collaborators.values_list("user_id", flat=True)]


def shot_out(shot: StoryboardShot, updated_by: str) -> dict[str, Any]:
    return {"id": shot.pk, "position": shot.position, "version": shot.version,
            "prompt": shot.prompt, "seconds": shot.seconds, "camera": shot.camera,
            "dialogue": shot.dialogue, "ambient": shot.ambient, "music": shot.music,
            "dialogue_on": shot.dialogue_on, "ambient_on": shot.ambient_on,
            "music_on": shot.music_on, "updated_by": updated_by}


def storyboard_out(storyboard: Storyboard, role: str) -> dict[str, Any]:
    """The whole draft in three queries (shots with their editors, collaborators)."""
    shots = storyboard.shots.select_related("updated_by").order_by("position", "pk")
    collaborators = storyboard.collaborators.select_related("user").order_by("created_at")
    return {"id": str(storyboard.pk), "title": storyboard.title,
            "owner": storyboard.owner.handle, "role": role, "revision": storyboard.revision,
            "shots": [shot_out(s, s.updated_by.handle if s.updated_by else "") for s in shots],
            "collaborators": [{"handle": c.user.handle, "role": c.role} for c in collaborators],
            "created_at": storyboard.created_at.isoformat(),
            "updated_at": storyboard.updated_at.isoformat()}
