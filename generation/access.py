"""Who may see, remix or extend a video besides its owner.

The feed app (publishing) and the cameo app (the owner of a likeness sees every video that
uses it) register their rules at start-up through generation.facade; generation imports
neither, so dependencies point one way. Rules see a frozen VideoAccess, never the row.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from .models import Video


@dataclass(frozen=True)
class VideoAccess:
    """What a view, remix, extend or shown-changed rule may know of a video."""

    id: UUID
    owner_id: int
    status: str
    deleted_at: datetime | None
    held_for_review: bool
    restricted: bool
    label: str
    remix_of_id: UUID | None


def video_access(video: Video) -> VideoAccess:
    return VideoAccess(id=video.pk, owner_id=video.owner_id, status=video.status,
                       deleted_at=video.deleted_at, held_for_review=video.held_for_review,
                       restricted=video.restricted, label=video.label,
                       remix_of_id=video.remix_of_id)


AccessRule = Callable[[int, VideoAccess], bool]
ShownChangedHook = Callable[[VideoAccess], None]
_view_rules: list[AccessRule] = []
_remix_rules: list[AccessRule] = []
_extend_rules: list[AccessRule] = []
_shown_changed_hooks: list[ShownChangedHook] = []


def view_rule_register(rule: AccessRule) -> None:
    """`rule(user_id, video)`: True lets that user view someone else's video."""
    _view_rules.append(rule)


def remix_rule_register(rule: AccessRule) -> None:
    """`rule(user_id, video)`: True lets that user remix someone else's video."""
    _remix_rules.append(rule)


def extend_rule_register(rule: AccessRule) -> None:
    """`rule(user_id, video)`: True lets that user continue someone else's video (a relay)."""
    _extend_rules.append(rule)


def can_view(*, user_id: int, video: Video) -> bool:
    if video.deleted_at is not None:
        return False
    if video.owner_id == user_id:
        return True
    access = video_access(video)
    return any(rule(user_id, access) for rule in _view_rules)


def remix_allowed(*, user_id: int, video: Video) -> bool:
    if video.owner_id == user_id:
        return True
    access = video_access(video)
    return any(rule(user_id, access) for rule in _remix_rules)


def extend_allowed(*, user_id: int, video: Video) -> bool:
    if video.owner_id == user_id:
        return True
    access = video_access(video)
    return any(rule(user_id, access) for rule in _extend_rules)


def shown_changed_hook_register(hook: ShownChangedHook) -> None:
    """Called (inside the changing transaction) when whether others may be shown a video may
    have changed: taken down or restored, restricted or not, held or released, deleted."""
    _shown_changed_hooks.append(hook)


def shown_changed(video: Video) -> None:
    access = video_access(video)
    for hook in _shown_changed_hooks:
        hook(access)
