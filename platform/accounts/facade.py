"""What other apps may use of accounts: plain values, no ORM leaks beyond the User type."""

from .selectors import are_mutuals, blocked_user_ids, follows, is_blocked_between
from .services import account_erasure_hook_register

__all__ = ["are_mutuals", "blocked_user_ids", "follows", "is_blocked_between",
           "account_erasure_hook_register"]
