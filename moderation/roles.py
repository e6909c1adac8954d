"""Who may moderate: the User.role ladder. Non-moderators are told nothing exists (404)."""

from typing import Any

from accounts.facade import User
from core.errors import ForbiddenError, NotFoundError

MODERATOR_ROLES = frozenset({User.Role.MODERATOR, User.Role.SENIOR_MODERATOR, User.Role.ADMIN})
SENIOR_ROLES = frozenset({User.Role.SENIOR_MODERATOR, User.Role.ADMIN})


def is_moderator(user: Any) -> bool:
    return bool(isinstance(user, User) and user.is_active and user.role in MODERATOR_ROLES)


def check_moderator(user: User) -> None:
    if not is_moderator(user):
        raise NotFoundError("not_found", "Not found.")


def check_senior(user: User, *, what: str) -> None:
    if user.role not in SENIOR_ROLES:
        raise ForbiddenError("moderation.insufficient_role",
                             f"{what} needs a senior moderator or an admin.")


def check_not_own_content(user: User, owner_id: int | None) -> None:
    if owner_id is not None and owner_id == user.pk:
        raise ForbiddenError("moderation.own_content",
                             "You cannot review your own content or account.")
