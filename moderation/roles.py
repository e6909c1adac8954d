"""Who may moderate: the User.role ladder. Non-moderators are told nothing exists (404)."""

from accounts.facade import User, is_moderator, is_senior_moderator
from core.errors import ForbiddenError, NotFoundError

__all__ = ["check_moderator", "check_not_own_content", "check_senior", "is_moderator"]


def check_moderator(user: User) -> None:
    if not is_moderator(user):
        raise NotFoundError("not_found", "Not found.")


def check_senior(user: User, *, what: str) -> None:
    if not is_senior_moderator(user):
        raise ForbiddenError("moderation.insufficient_role",
                             f"{what} needs a senior moderator or an admin.")


def check_not_own_content(user: User, owner_id: int | None) -> None:
    if owner_id is not None and owner_id == user.pk:
        raise ForbiddenError("moderation.own_content",
                             "You cannot review your own content or account.")
