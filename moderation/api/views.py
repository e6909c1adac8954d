"""Moderation endpoints: reports and appeals for everyone; the rest for moderators only,
who are the only ones told these endpoints exist (everyone else gets 404)."""

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.facade import request_user
from core.api import DeleteNoContentView, validated
from moderation import filters, selectors, services
from moderation.models import Appeal, AppealStatus, Case, Term
from moderation.roles import is_moderator
from moderation.targets import target_describe

from . import serializers as s


class ReportView(APIView):
    throttle_scope = "report"

    @extend_schema(request=s.ReportIn, responses={201: s.ReportOut, 200: s.ReportOut})
    def post(self, request: Request) -> Response:
        report, created = services.report_create(reporter=request_user(request),
                                                 **validated(s.ReportIn, request.data))
        return Response(s.ReportOut(report).data,
                        status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)


class AppealView(APIView):
    @extend_schema(request=s.AppealIn, responses={201: s.AppealOut})
    def post(self, request: Request) -> Response:
        appeal = services.appeal_create(appellant=request_user(request),
                                        **validated(s.AppealIn, request.data))
        return Response(s.AppealOut(appeal).data, status=status.HTTP_201_CREATED)


class ModeratorOnly:
    """Mixin: authenticated non-moderators are told the endpoint does not exist."""

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)  # type: ignore[misc]
        if not is_moderator(request_user(request)):
            raise NotFound()


class CaseListView(ModeratorOnly, generics.ListAPIView[Case]):
    serializer_class = s.CaseOut

    @extend_schema(parameters=[s.CaseFilterIn])
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet[Case]:
        data = validated(s.CaseFilterIn, self.request.query_params)
        statuses = [x for x in data.pop("status", "").split(",") if x]
        return selectors.case_list(statuses=statuses, **data)


class CaseDetailView(ModeratorOnly, APIView):
    @extend_schema(responses=s.CasePageOut)
    def get(self, request: Request, case_id: int) -> Response:
        case = selectors.case_get(case_id=case_id)
        return Response({
            **s.CaseDetailOut(case).data,
            "target": target_describe(case.target_type, case.target_id),
            "related": s.CaseOut(selectors.related_cases(case=case), many=True).data,
        })


class CaseAssignView(ModeratorOnly, APIView):
    @extend_schema(request=s.AssignIn, responses=s.CaseOut)
    def post(self, request: Request, case_id: int) -> Response:
        moderator = request_user(request)
        data = validated(s.AssignIn, request.data)
        case = services.case_assign(case_id=case_id, moderator=moderator,
                                    assignee_id=data.get("assignee_id", moderator.pk))
        return Response(s.CaseOut(case).data)


class CaseDecideView(ModeratorOnly, APIView):
    @extend_schema(request=s.DecideIn, responses={201: s.DecisionOut})
    def post(self, request: Request, case_id: int) -> Response:
        decision = services.case_decide(case_id=case_id, moderator=request_user(request),
                                        **validated(s.DecideIn, request.data))
        return Response(s.DecisionOut(decision).data, status=status.HTTP_201_CREATED)


class AppealListView(ModeratorOnly, generics.ListAPIView[Appeal]):
    serializer_class = s.AppealDetailOut

    def get_queryset(self) -> QuerySet[Appeal]:
        wanted = self.request.query_params.get("status", AppealStatus.PENDING)
        return selectors.appeal_list(status=wanted if wanted != "all" else None)


class AppealDecideView(ModeratorOnly, APIView):
    @extend_schema(request=s.AppealDecideIn, responses=s.AppealDetailOut)
    def post(self, request: Request, appeal_id: int) -> Response:
        data = validated(s.AppealDecideIn, request.data)
        services.appeal_transition(appeal_id=appeal_id, to=AppealStatus(data["outcome"]),
                                   actor=request_user(request), reason=data["reason"])
        return Response(s.AppealDetailOut(selectors.appeal_get(appeal_id=appeal_id)).data)


class TermListView(ModeratorOnly, generics.ListAPIView[Term]):
    serializer_class = s.TermOut

    def get_queryset(self) -> QuerySet[Term]:
        params = self.request.query_params
        return selectors.term_list(category=params.get("category"), query=params.get("q"))

    @extend_schema(request=s.TermIn, responses={201: s.TermOut})
    def post(self, request: Request) -> Response:
        term = services.term_create(actor=request_user(request),
                                    **validated(s.TermIn, request.data))
        return Response(s.TermOut(term).data, status=status.HTTP_201_CREATED)


class TermDetailView(ModeratorOnly, DeleteNoContentView):
    on_delete = staticmethod(services.term_delete)
    user_keyword = "actor"

    @extend_schema(responses=s.TermOut)
    def get(self, request: Request, term_id: int) -> Response:
        return Response(s.TermOut(selectors.term_get(term_id=term_id)).data)

    @extend_schema(request=s.TermPatchIn, responses=s.TermOut)
    def patch(self, request: Request, term_id: int) -> Response:
        term = services.term_update(actor=request_user(request), term_id=term_id,
                                    **validated(s.TermPatchIn, request.data))
        return Response(s.TermOut(term).data)


class TestTextView(ModeratorOnly, APIView):
    @extend_schema(request=s.TestTextIn, responses=s.TestTextOut)
    def post(self, request: Request) -> Response:
        data = validated(s.TestTextIn, request.data)
        return Response(filters.prompt_explain(data["text"], teen=data["teen"]))


class StatsView(ModeratorOnly, APIView):
    @extend_schema(responses={200: dict})
    def get(self, request: Request) -> Response:
        return Response(selectors.dashboard_stats())
