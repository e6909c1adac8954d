"""`Authorization: Bearer sk-cl-...` for programs. Other bearer values fall through to the
next authentication class (the app's session tokens), so both work on the same door."""

from typing import Any

from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.request import Request
from rest_framework.views import APIView

from accounts.facade import User
from core.errors import ForbiddenError

from .models import ApiKey
from .services import api_key_authenticate, looks_like_key


class ApiKeyAuthentication(BaseAuthentication):
    keyword = b"bearer"

    def authenticate(self, request: Request) -> tuple[User, ApiKey] | None:
        parts = get_authorization_header(request).split()
        if len(parts) != 2 or parts[0].lower() != self.keyword:
            return None
        try:
            secret = parts[1].decode("ascii")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed("Malformed API key.",
                                                  code="invalid_api_key") from None
        if not looks_like_key(secret):
            return None
        key = api_key_authenticate(secret=secret)
        if key is None:
            raise exceptions.AuthenticationFailed("Incorrect or revoked API key.",
                                                  code="invalid_api_key")
        return key.owner, key

    def authenticate_header(self, request: Request) -> str:
        return "Bearer"


class ReadOnlyKeyPermission(BasePermission):
    """A read-only key reads; it never creates, changes or deletes."""

    def has_permission(self, request: Request, view: APIView) -> bool:
        auth: Any = request.auth
        if isinstance(auth, ApiKey) and auth.read_only and request.method not in SAFE_METHODS:
            raise ForbiddenError("api_key_read_only", "This API key is read-only.")
        return True
