"""Who may see or remix a video besides its owner.

The feed app (publishing) and the cameo app (the owner of a likeness sees every video that
uses it) register their rules at start-up; generation imports neither, so dependencies point
one way.
"""

from collections.abc import Callable

from .models import Video

AccessRule = Callable[[int, Video], bool]
ShownChangedHook = Callable[[Video], None]
_view_rules: list[AccessRule] = []
_remix_rules: list[AccessRule] = []
_shown_changed_hooks: list[ShownChangedHook] = []


def view_rule_register(rule: AccessRule) -> None:
    _view_rules.append(rule)


def remix_rule_register(rule: AccessRule) -> None:
    _remix_rules.append(rule)


def can_view(*, user_id: int, video: Video) -> bool:
    if video.deleted_at is not None:
        return False
    return video.owner_id == user_id or any(rule(user_id, video) for rule in _view_rules)


def remix_allowed(*, user_id: int, video: Video) -> bool:
    return video.owner_id == user_id or any(rule(user_id, video) for rule in _remix_rules)


def shown_changed_hook_register(hook: ShownChangedHook) -> None:
    """Called (inside the changing transaction) when whether others may be shown a video may
    have changed: taken down or restored, restricted or not, held or released, deleted."""
    _shown_changed_hooks.append(hook)


def shown_changed(video: Video) -> None:
    for hook in _shown_changed_hooks:
        hook(video)
