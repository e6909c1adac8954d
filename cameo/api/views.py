"""Cameo endpoints: each view validates input, calls one service or selector, shapes output."""

from typing import Any
from uuid import UUID

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, status
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.facade import request_user
from cameo import approvals, enrollment, selectors, services
from cameo.consent_log import consent_log_verify
from cameo.models import Approval, ConsentLogEntry, Grant, Receipt
from core.api import DeleteNoContentView, OwnRowsView, validated
from core.pagination import IdCursorPagination

from . import serializers as s


class NewestFirst(IdCursorPagination):
    ordering = ("-created_at", "-id")


class ChallengeView(APIView):
    throttle_scope = "upload"

    @extend_schema(request=None, responses={201: s.ChallengeOut})
    def post(self, request: Request) -> Response:
        challenge = enrollment.challenge_create(user=request_user(request))
        return Response(s.ChallengeOut(challenge).data, status=status.HTTP_201_CREATED)


class EnrollView(APIView):
    parser_classes = [MultiPartParser]
    throttle_scope = "upload"

    @extend_schema(request=s.EnrollIn, responses={202: s.CameoOut})
    def post(self, request: Request) -> Response:
        data = validated(s.EnrollIn, request.data)
        started = enrollment.enrollment_start(user=request_user(request),
                                              challenge_id=data["challenge"],
                                              video=data["video"])
        started.cameo.refresh_from_db()
        return Response(s.CameoOut(started.cameo).data, status=status.HTTP_202_ACCEPTED)


class MeView(APIView):
    @extend_schema(responses=s.CameoOut)
    def get(self, request: Request) -> Response:
        return Response(s.CameoOut(selectors.cameo_of(user=request_user(request))).data)

    @extend_schema(responses={204: None})
    def delete(self, request: Request) -> Response:
        services.cameo_delete(user=request_user(request))
        return Response(status=status.HTTP_204_NO_CONTENT)


class SettingsView(APIView):
    @extend_schema(responses=s.SettingsOut)
    def get(self, request: Request) -> Response:
        return Response(s.SettingsOut(selectors.cameo_of(user=request_user(request))).data)

    @extend_schema(request=s.SettingsIn, responses=s.SettingsOut)
    def patch(self, request: Request) -> Response:
        cameo = services.cameo_settings_update(user=request_user(request),
                                               **validated(s.SettingsIn, request.data))
        return Response(s.SettingsOut(cameo).data)


class _GrantListView(generics.ListAPIView[Grant]):
    serializer_class = s.GrantOut
    kind = Grant.Kind.ALLOW

    def get_queryset(self) -> QuerySet[Grant]:
        cameo = selectors.cameo_of(user=request_user(self.request))
        return selectors.grants_of(cameo=cameo, kind=self.kind)


class GrantListView(_GrantListView):
    kind = Grant.Kind.ALLOW


class BlockListView(_GrantListView):
    kind = Grant.Kind.BLOCK


class _GrantView(APIView):
    kind = Grant.Kind.ALLOW

    def _put(self, request: Request, handle: str) -> Response:
        data = validated(s.GrantIn, request.data) if self.kind == Grant.Kind.ALLOW else {}
        grant = services.grant_put(user=request_user(request), handle=handle, kind=self.kind,
                                   expires_at=data.get("expires_at"))
        return Response(s.GrantOut(grant).data, status=status.HTTP_201_CREATED)

    def _remove(self, request: Request, handle: str) -> Response:
        services.grant_remove(user=request_user(request), handle=handle, kind=self.kind)
        return Response(status=status.HTTP_204_NO_CONTENT)


class GrantView(_GrantView):
    kind = Grant.Kind.ALLOW

    @extend_schema(request=s.GrantIn, responses={201: s.GrantOut})
    def post(self, request: Request, handle: str) -> Response:
        return self._put(request, handle)

    @extend_schema(responses={204: None})
    def delete(self, request: Request, handle: str) -> Response:
        return self._remove(request, handle)


class BlockView(_GrantView):
    kind = Grant.Kind.BLOCK

    @extend_schema(request=None, responses={201: s.GrantOut})
    def post(self, request: Request, handle: str) -> Response:
        return self._put(request, handle)

    @extend_schema(responses={204: None})
    def delete(self, request: Request, handle: str) -> Response:
        return self._remove(request, handle)


class ApprovalListView(generics.ListAPIView[Approval]):
    serializer_class = s.ApprovalOut
    pagination_class = NewestFirst

    @extend_schema(parameters=[OpenApiParameter("status", str,
                                                enum=Approval.Status.values)])
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        approvals.approvals_expire_due()  # lazily too, between periodic sweeps
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet[Approval]:
        return selectors.approvals_for(user=request_user(self.request),
                                       status=self.request.query_params.get("status"))


class ApprovalDecideView(APIView):
    @extend_schema(request=s.DecisionIn, responses=s.ApprovalOut)
    def post(self, request: Request, approval_id: UUID) -> Response:
        data = validated(s.DecisionIn, request.data)
        approval = approvals.approval_decide(user=request_user(request),
                                             approval_id=approval_id,
                                             approve=data["decision"] == "approve")
        return Response(s.ApprovalOut(approval).data)


class AppearanceListView(OwnRowsView[Receipt]):
    serializer_class = s.AppearanceOut
    pagination_class = NewestFirst
    rows = staticmethod(selectors.appearances_of)


class AppearanceView(DeleteNoContentView):
    on_delete = staticmethod(services.appearance_takedown)


class ConsentLogView(OwnRowsView[ConsentLogEntry]):
    serializer_class = s.LogEntryOut
    rows = staticmethod(selectors.consent_log_of)


class ConsentLogVerifyView(APIView):
    @extend_schema(responses=s.ChainOut)
    def get(self, request: Request) -> Response:
        check = consent_log_verify(owner_id=request_user(request).pk)
        return Response(s.ChainOut(check).data)
