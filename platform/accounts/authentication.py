"""Bearer tokens that die with their device session (logout and revocation are immediate)."""

from typing import Any

from rest_framework_simplejwt.authentication import JWTAuthentication
from rest_framework_simplejwt.exceptions import AuthenticationFailed
from rest_framework_simplejwt.tokens import Token

from .models import User


def user_for_token_claims(claims: Any) -> User:
    user = (User.objects.filter(pk=claims.get("user_id"), is_active=True,
                                device_sessions__pk=claims.get("sid"),
                                device_sessions__revoked_at__isnull=True).first())
    if user is None:
        raise AuthenticationFailed("The session has ended; log in again.",
                                   code="session_revoked")
    user.session_id = claims.get("sid")  # type: ignore[attr-defined]
    return user


class SessionJWTAuthentication(JWTAuthentication):
    def get_user(self, validated_token: Token) -> User:  # type: ignore[override]
        return user_for_token_claims(validated_token)
