"""Moderation reads: queues, case pages, appeals, terms and dashboard numbers."""

import math
from datetime import timedelta
from typing import Any

from django.db.models import Count, Prefetch, QuerySet
from django.utils import timezone

from core.errors import NotFoundError

from .models import (
    PENDING_STATUSES,
    Appeal,
    AppealStatus,
    Case,
    CaseEvent,
    Decision,
    Report,
    Term,
)

# Time to decision is measured over this window.
STATS_WINDOW = timedelta(days=30)


def case_list(*, statuses: list[str] | None = None, category: str | None = None,
              priority: int | None = None, older_than_hours: float | None = None,
              assignee_id: int | None = None) -> QuerySet[Case]:
    cases = Case.objects.select_related("owner", "assignee")
    cases = cases.filter(status__in=statuses or PENDING_STATUSES)
    if category:
        cases = cases.filter(category=category)
    if priority:
        cases = cases.filter(priority=priority)
    if older_than_hours:
        cases = cases.filter(opened_at__lte=timezone.now() - timedelta(hours=older_than_hours))
    if assignee_id:
        cases = cases.filter(assignee_id=assignee_id)
    return cases


def queue_list(**filters: Any) -> QuerySet[Case]:
    """The work queue: most urgent first, then oldest first."""
    return case_list(**filters).order_by("-priority", "opened_at", "id")


def case_get(*, case_id: int) -> Case:
    case = (Case.objects.select_related("owner", "assignee")
            .prefetch_related(
                Prefetch("reports", Report.objects.select_related("reporter").order_by("id")),
                Prefetch("events", CaseEvent.objects.select_related("actor").order_by("id")),
                Prefetch("decisions", Decision.objects.select_related(
                    "moderator", "appeal", "appeal__decided_by").order_by("id")))
            .filter(pk=case_id).first())
    if case is None:
        raise NotFoundError("moderation.case_not_found", "No such case.")
    return case


def related_cases(*, case: Case) -> QuerySet[Case]:
    """Earlier cases on the same target, then on the same owner."""
    same_target = Case.objects.filter(target_type=case.target_type, target_id=case.target_id)
    same_owner = (Case.objects.filter(owner_id=case.owner_id) if case.owner_id
                  else Case.objects.none())
    return (same_target | same_owner).exclude(pk=case.pk).order_by("-id")[:20]


def appeal_list(*, status: str | None = AppealStatus.PENDING) -> QuerySet[Appeal]:
    appeals = Appeal.objects.select_related("decision", "decision__case", "decision__moderator",
                                            "appellant")
    if status:
        appeals = appeals.filter(status=status)
    return appeals.order_by("created_at", "id")


def appeal_get(*, appeal_id: int) -> Appeal:
    appeal = appeal_list(status=None).filter(pk=appeal_id).first()
    if appeal is None:
        raise NotFoundError("moderation.appeal_not_found", "No such appeal.")
    return appeal


def term_list(*, category: str | None = None, query: str | None = None) -> QuerySet[Term]:
    terms = Term.objects.select_related("created_by")
    if category:
        terms = terms.filter(category=category)
    if query:
        terms = terms.filter(text__icontains=query)
    return terms.order_by("category", "text")


def term_get(*, term_id: int) -> Term:
    term = Term.objects.filter(pk=term_id).first()
    if term is None:
        raise NotFoundError("moderation.term_not_found", "No such term.")
    return term


def _percentile(sorted_values: list[float], fraction: float) -> float | None:
    """Nearest-rank percentile."""
    if not sorted_values:
        return None
    return sorted_values[max(1, math.ceil(fraction * len(sorted_values))) - 1]


def dashboard_stats() -> dict[str, Any]:
    now = timezone.now()
    pending = Case.objects.filter(status__in=PENDING_STATUSES)
    decided = Case.objects.filter(decided_at__gte=now - STATS_WINDOW).values_list(
        "opened_at", "decided_at")
    seconds = sorted((decided_at - opened_at).total_seconds()
                     for opened_at, decided_at in decided if decided_at)
    oldest = pending.order_by("opened_at").values_list("opened_at", flat=True).first()
    return {
        "queue_size": pending.count(),
        "unassigned": pending.filter(assignee__isnull=True).count(),
        "by_priority": dict(pending.values("priority").annotate(n=Count("id"))
                            .values_list("priority", "n")),
        "by_category": dict(pending.values("category").annotate(n=Count("id"))
                            .values_list("category", "n")),
        "oldest_age_s": (now - oldest).total_seconds() if oldest else None,
        "appeals_pending": Appeal.objects.filter(status=AppealStatus.PENDING).count(),
        "decided_30d": len(seconds),
        "time_to_decision_p50_s": _percentile(seconds, 0.5),
        "time_to_decision_p90_s": _percentile(seconds, 0.9),
    }
