from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.http import HttpRequest

from .models import User


class EmailOrHandleBackend(ModelBackend):
    """Log in with an email address or an @handle."""

    def authenticate(self, request: HttpRequest | None, username: str | None = None,
                     password: str | None = None, **kwargs: Any) -> User | None:
        login = (username or kwargs.get("login") or "").strip().lower().removeprefix("@")
        if not login or password is None:
            return None
        field = "email" if "@" in login else "handle"
        user = User.objects.filter(**{field: login}).first()
        if user is None:
            User().set_password(password)  # same cost as a real check: no timing oracle
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None
