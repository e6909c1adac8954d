"""Bearer tokens that die with their device session (logout and revocation are immediate)."""

from typing import Any

from django.db.models import QuerySet
from rest_framework_simplejwt.authentication import JWTAuthentication
from rest_framework_simplejwt.exceptions import AuthenticationFailed
from rest_framework_simplejwt.tokens import Token

from core.compiled_queries import StandIns, compiled, concrete_attnames

from .models import User


def _active_session_user(stand_ins: StandIns) -> QuerySet[User, Any]:
    return (User.objects.filter(pk=stand_ins.one("user"), is_active=True,
                                device_sessions__pk=stand_ins.one("session"),
                                device_sessions__revoked_at__isnull=True)
            .values(*concrete_attnames(User))[:1])


def user_for_token_claims(claims: Any) -> User:
    """The token's user while its device session is live. Read on every authenticated request,
    so the query is compiled once (core.compiled_queries): building it cost more than running
    it."""
    try:
        user_id, session_id = int(claims.get("user_id")), int(claims.get("sid"))
    except (TypeError, ValueError):
        raise AuthenticationFailed("The token names no session; log in again.",
                                   code="session_revoked") from None
    found = compiled(("accounts.token_user",), _active_session_user).instances(
        User, user=user_id, session=session_id)
    if not found:
        raise AuthenticationFailed("The session has ended; log in again.",
                                   code="session_revoked")
    user = found[0]
    user.session_id = session_id  # type: ignore[attr-defined]
    return user


class SessionJWTAuthentication(JWTAuthentication):
    def get_user(self, validated_token: Token) -> User:  # type: ignore[override]
        return user_for_token_claims(validated_token)
