"""What other apps may use of accounts: plain values, no ORM leaks beyond the User type."""

from rest_framework.exceptions import NotAuthenticated
from rest_framework.request import Request

from .models import User
from .selectors import (
    are_mutuals,
    blocked_either_way_q,
    blocked_user_ids,
    follows,
    is_blocked_between,
    sessions_live,
)
from .services import account_erasure_hook_register, user_deactivate, user_reactivate

__all__ = [
    "User",
    "account_erasure_hook_register",
    "are_mutuals",
    "blocked_either_way_q",
    "blocked_user_ids",
    "follows",
    "is_blocked_between",
    "request_user",
    "sessions_live",
    "user_deactivate",
    "user_reactivate",
]


def request_user(request: Request) -> User:
    """The authenticated user of an API request, typed as our User."""
    user = request.user
    if not isinstance(user, User) or not user.is_authenticated:
        raise NotAuthenticated()
    return user
