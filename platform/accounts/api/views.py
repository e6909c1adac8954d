"""Account endpoints: each view validates input, calls one service or selector, shapes output."""

import contextlib
from typing import Any, cast

from django.db.models import QuerySet
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.parsers import MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework_simplejwt.exceptions import TokenError
from rest_framework_simplejwt.tokens import RefreshToken

from accounts import selectors, services
from accounts.facade import request_user
from accounts.models import DeviceSession, Follow
from core.api import DeleteNoContentView, OwnRowsView, PostNoContentView, validated
from core.errors import DomainError

from . import serializers as s


class AuthView(APIView):
    permission_classes = [AllowAny]
    throttle_scope = "auth"


class RegisterView(AuthView):
    @extend_schema(request=s.RegisterIn, responses={201: s.TokensOut})
    def post(self, request: Request) -> Response:
        data = validated(s.RegisterIn, request.data)
        device = data.pop("device")
        user = services.user_register(**data)
        tokens = services.session_start(user=user, device=device)
        return Response({**tokens, "user": s.MeOut(user).data}, status=status.HTTP_201_CREATED)


class LoginView(AuthView):
    @extend_schema(request=s.LoginIn, responses=s.TokensOut)
    def post(self, request: Request) -> Response:
        data = validated(s.LoginIn, request.data)
        return Response(services.user_login(request=request._request, **data))


class RefreshView(AuthView):
    @extend_schema(request=s.RefreshIn, responses=s.TokensOut)
    def post(self, request: Request) -> Response:
        data = validated(s.RefreshIn, request.data)
        try:
            old = RefreshToken(data["refresh"])  # type: ignore[arg-type]
        except TokenError as exc:
            raise DomainError("auth.invalid_token", "The refresh token is invalid or expired.",
                              status_code=401) from exc
        session = DeviceSession.objects.filter(pk=old.get("sid"), user_id=old.get("user_id"),
                                               revoked_at__isnull=True,
                                               user__is_active=True).first()
        if session is None:
            raise DomainError("auth.session_revoked", "This session was logged out.",
                              status_code=401)
        # Whoever blacklists the token first rotates it: two refreshes of one token at once
        # both passed the blacklist check above, and both got a new pair.
        # simplejwt annotates a BlacklistedToken; it returns get_or_create's (row, created).
        _, first = cast("tuple[object, bool]", old.blacklist())
        if not first:
            raise DomainError("auth.invalid_token", "The refresh token is invalid or expired.",
                              status_code=401)
        user = session.user
        new = RefreshToken.for_user(user)
        new["sid"] = session.pk
        DeviceSession.objects.filter(pk=session.pk).update(last_refreshed_at=timezone.now())
        return Response({"access": str(new.access_token), "refresh": str(new),
                         "session_id": session.pk})


class LogoutView(APIView):
    @extend_schema(request=s.LogoutIn, responses={204: None})
    def post(self, request: Request) -> Response:
        data = validated(s.LogoutIn, request.data)
        if data.get("refresh"):
            with contextlib.suppress(TokenError):  # already unusable: logging out still works
                RefreshToken(data["refresh"]).blacklist()  # type: ignore[arg-type]
        user = request_user(request)
        services.session_revoke(user=user, session_id=user.session_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


class SessionListView(OwnRowsView[DeviceSession]):
    serializer_class = s.SessionOut
    rows = staticmethod(selectors.sessions_list)


class SessionRevokeView(DeleteNoContentView):
    on_delete = staticmethod(services.session_revoke)


class PasswordChangeView(APIView):
    throttle_scope = "auth"

    @extend_schema(request=s.PasswordChangeIn, responses={204: None})
    def post(self, request: Request) -> Response:
        data = validated(s.PasswordChangeIn, request.data)
        user = request_user(request)
        services.password_change(user=user, current_session_id=user.session_id, **data)
        return Response(status=status.HTTP_204_NO_CONTENT)


class PasswordResetView(AuthView):
    @extend_schema(request=s.PasswordResetIn, responses={202: None})
    def post(self, request: Request) -> Response:
        services.password_reset_request(**validated(s.PasswordResetIn, request.data))
        return Response(status=status.HTTP_202_ACCEPTED)


class PasswordResetConfirmView(AuthView):
    @extend_schema(request=s.PasswordResetConfirmIn, responses={204: None})
    def post(self, request: Request) -> Response:
        services.password_reset_confirm(**validated(s.PasswordResetConfirmIn, request.data))
        return Response(status=status.HTTP_204_NO_CONTENT)


class EmailVerifyView(AuthView):
    @extend_schema(request=s.TokenIn, responses=s.MeOut)
    def post(self, request: Request) -> Response:
        user = services.email_verify(**validated(s.TokenIn, request.data))
        return Response(s.MeOut(user).data)


class EmailVerifyResendView(APIView):
    throttle_scope = "auth"

    @extend_schema(request=None, responses={202: None})
    def post(self, request: Request) -> Response:
        if request_user(request).email_verified_at is None:
            services.email_verification_send(user=request_user(request))
        return Response(status=status.HTTP_202_ACCEPTED)


class MeView(APIView):
    @extend_schema(responses=s.MeOut)
    def get(self, request: Request) -> Response:
        return Response(s.MeOut(request_user(request)).data)

    @extend_schema(request=s.MeUpdateIn, responses=s.MeOut)
    def patch(self, request: Request) -> Response:
        data = validated(s.MeUpdateIn, request.data)
        user = services.profile_update(user=request_user(request), **data)
        return Response(s.MeOut(user).data)

    @extend_schema(request=s.DeleteAccountIn, responses={204: None})
    def delete(self, request: Request) -> Response:
        data = validated(s.DeleteAccountIn, request.data)
        services.account_delete(user=request_user(request), **data)
        return Response(status=status.HTTP_204_NO_CONTENT)


class AvatarView(APIView):
    parser_classes = [MultiPartParser]
    throttle_scope = "upload"

    @extend_schema(request={"multipart/form-data": s.AvatarIn}, responses=s.MeOut)
    def put(self, request: Request) -> Response:
        data = validated(s.AvatarIn, request.data)
        user = services.avatar_set(user=request_user(request), upload=data["avatar"])
        return Response(s.MeOut(user).data)


class ProfileView(APIView):
    @extend_schema(responses=s.ProfileOut)
    def get(self, request: Request, handle: str) -> Response:
        user = selectors.user_get_visible(viewer=request_user(request), handle=handle)
        counts = selectors.user_follow_counts(user=user)
        body = {**s.UserBriefOut(user).data, "bio": user.bio,
                "followers_count": counts["followers"], "following_count": counts["following"],
                "is_following": user.viewer_follows,  # type: ignore[attr-defined]
                "follows_you": user.follows_viewer,  # type: ignore[attr-defined]
                "is_mutual": user.viewer_follows and user.follows_viewer}  # type: ignore
        return Response(body)


class FollowView(DeleteNoContentView):
    throttle_scope = "social"
    on_delete = staticmethod(services.follow_delete)
    user_keyword = "follower"

    @extend_schema(request=None, responses={201: s.FollowOut, 200: s.FollowOut})
    def post(self, request: Request, handle: str) -> Response:
        followee, created = services.follow_create(follower=request_user(request), handle=handle)
        return Response({"handle": followee.handle, "following": True},
                        status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)


class BlockView(PostNoContentView, DeleteNoContentView):
    throttle_scope = "social"
    on_post = staticmethod(services.block_create)
    on_delete = staticmethod(services.block_delete)
    user_keyword = "blocker"


class FollowersView(generics.ListAPIView[Follow]):
    serializer_class = s.UserBriefOut  # type: ignore[assignment]  # rows are Follow, out: users
    # Which Follow rows the list pages through, and which end of each row it shows.
    rows = staticmethod(selectors.followers_list)
    person = "follower"

    def get_queryset(self) -> QuerySet[Follow]:
        user = selectors.user_get_visible(viewer=request_user(self.request),
                                          handle=self.kwargs["handle"])
        return self.rows(user=user)

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(
            s.UserBriefOut([getattr(f, self.person) for f in page or []], many=True).data)


class FollowingView(FollowersView):
    rows = staticmethod(selectors.following_list)
    person = "followee"


