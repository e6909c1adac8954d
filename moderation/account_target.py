"""Accounts as a moderation target: moderation itself warns, suspends and bans them."""

from typing import Any

from accounts.facade import User, user_get
from core.errors import DomainError
from core.ids import parse_id

from .targets import target_register


def _user(target_id: str) -> User | None:
    return user_get(user_id=parse_id(target_id))


def account_owner_of(target_id: str) -> int | None:
    user = _user(target_id)
    return user.pk if user is not None and user.deleted_at is None else None


def account_visible_to(target_id: str, user_id: int) -> bool:
    # Blocks do not hide an account here: the blocked and the blocker both know it exists,
    # and either may need to report it.
    user = _user(target_id)
    return user is not None and user.is_active


def account_enforce(target_id: str, action: str) -> None:
    # Unreachable through case_decide, which refuses content actions on accounts.
    raise DomainError("moderation.action_not_applicable",
                      f"{action!r} does not apply to accounts.")


def account_describe(target_id: str) -> dict[str, Any]:
    user = _user(target_id)
    if user is None:
        return {}
    return {"title": f"@{user.handle}", "text": user.bio,
            "thumbnails": [user.avatar.url] if user.avatar else [],
            "details": {"display_name": user.display_name, "active": user.is_active,
                        "joined": user.date_joined.date().isoformat()}}


def account_target_register() -> None:
    target_register("account", owner_of=account_owner_of, enforce=account_enforce,
                    describe=account_describe, visible_to=account_visible_to)
