"""What other apps may use of accounts: plain values and the User type (for annotations and
the accounts these functions return); nobody else queries User.objects."""

from django.http import HttpRequest
from rest_framework.exceptions import NotAuthenticated
from rest_framework.request import Request

from .authentication import user_for_token_claims
from .models import User
from .roles import is_admin, is_moderator, is_senior_moderator, user_id_is_moderator
from .selectors import (
    active_user_by_handle,
    active_users_by_handle,
    are_mutuals,
    blocked_either_way_q,
    blocked_user_ids,
    follow_rows,
    follows,
    is_blocked_between,
    sessions_live,
    user_get,
    user_get_by_email,
    user_lock,
)
from .services import account_erasure_hook_register, user_deactivate, user_reactivate

__all__ = [
    "User",
    "account_erasure_hook_register",
    "active_user_by_handle",
    "active_users_by_handle",
    "are_mutuals",
    "blocked_either_way_q",
    "blocked_user_ids",
    "follow_rows",
    "follows",
    "is_admin",
    "is_blocked_between",
    "is_moderator",
    "is_senior_moderator",
    "request_user",
    "sessions_live",
    "user_deactivate",
    "user_for_token_claims",
    "user_get",
    "user_get_by_email",
    "user_id_is_moderator",
    "user_lock",
    "user_reactivate",
]


def request_user(request: Request | HttpRequest) -> User:
    """The authenticated user of a request (an API one, or a console page's), typed as our
    User; anonymous: 401 (the console's views let no anonymous request in)."""
    user = request.user
    if not isinstance(user, User) or not user.is_authenticated:
        raise NotAuthenticated()
    return user
