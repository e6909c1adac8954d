from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.http import HttpRequest

from .models import User


def login_normalize(login: str) -> str:
    """One spelling per login: `Ann@X.com` is `ann@x.com`, `@Ann` is `ann`."""
    return login.strip().lower().removeprefix("@")


def account_for_login(login: str) -> User | None:
    """The account an email or a handle (with or without @) names, or None."""
    normalized = login_normalize(login)
    if not normalized:
        return None
    field = "email" if "@" in normalized else "handle"
    return User.objects.filter(**{field: normalized}).first()


def login_lockout_key(request: HttpRequest | None, credentials: dict[str, Any] | None) -> str:
    """What django-axes counts failures against (AXES_USERNAME_CALLABLE), with the IP.

    The account, whichever spelling names it (email in any case, @handle, bare handle), so
    spellings share one count of guesses. A login naming no account counts under its
    normalized spelling: it locks after the same number of tries, so a lock-out tells no
    stranger whether the account exists.
    """
    raw = (credentials or {}).get("login") or (credentials or {}).get("username") or ""
    login = login_normalize(str(raw))
    user = account_for_login(login)
    return f"account:{user.pk}" if user is not None else f"login:{login}"[:255]


class EmailOrHandleBackend(ModelBackend):
    """Log in with an email address or an @handle."""

    def authenticate(self, request: HttpRequest | None, username: str | None = None,
                     password: str | None = None, **kwargs: Any) -> User | None:
        login = username or kwargs.get("login") or ""
        if not login_normalize(login) or password is None:
            return None
        user = account_for_login(login)
        if user is None:
            User().set_password(password)  # same cost as a real check: no timing oracle
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None
