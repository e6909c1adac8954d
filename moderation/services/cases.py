"""Case writes: the one status transition, reports, automatic hits and assignment."""

from collections.abc import Sequence
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.facade import User, user_get
from core.errors import ConflictError, DomainError, NotFoundError
from core.lifecycle import row_lock_or_404

from ..filters import category_for_codes
from ..models import (
    CASE_TRANSITIONS,
    PENDING_STATUSES,
    Case,
    CaseEvent,
    CaseSource,
    CaseStatus,
    Priority,
    ReasonCode,
    Report,
)
from ..roles import check_moderator, check_not_own_content, is_moderator
from ..targets import target_type_get

_PRIORITY_OF_CATEGORY = {
    ReasonCode.MINORS: Priority.URGENT,
    ReasonCode.SELF_HARM: Priority.URGENT,
    ReasonCode.SEXUAL: Priority.HIGH,
    ReasonCode.VIOLENCE: Priority.HIGH,
    ReasonCode.EXTREMISM: Priority.HIGH,
    ReasonCode.HATE: Priority.HIGH,
    ReasonCode.SPAM: Priority.LOW,
}
# This many reports on one target raise its priority one step.
PILE_ON_REPORTS = 5


def _priority(category: str, report_count: int) -> int:
    base = _PRIORITY_OF_CATEGORY.get(ReasonCode(category), Priority.NORMAL)
    return min(Priority.URGENT, base + int(report_count >= PILE_ON_REPORTS))


def case_lock(case_id: int) -> Case:
    return row_lock_or_404(Case.objects.filter(pk=case_id), code="moderation.case_not_found",
                           message="No such case.")


@transaction.atomic
def case_transition(*, case_id: int, to: CaseStatus, actor: User | None, reason: str,
                    kind: CaseEvent.Kind = CaseEvent.Kind.STATUS,
                    assignee_id: int | None = None, data: dict[str, Any] | None = None
                    ) -> Case:
    """The only place a case changes status; records who, when and why."""
    case = case_lock(case_id)
    if to not in CASE_TRANSITIONS[case.status]:
        raise ConflictError("moderation.invalid_transition",
                            f"A case that is {case.status} cannot become {to}.",
                            fields={"status": [case.status]})
    from_status = case.status
    case.status = to
    case.assignee_id = assignee_id if to == CaseStatus.ASSIGNED else (
        None if to == CaseStatus.OPEN else case.assignee_id)
    if to in (CaseStatus.ACTIONED, CaseStatus.DISMISSED):
        case.decided_at = timezone.now()
    case.save(update_fields=["status", "assignee", "decided_at", "updated_at"])
    CaseEvent.objects.create(case=case, actor=actor, kind=kind, from_status=from_status,
                             to_status=to, reason=reason,
                             data={**(data or {}), "assignee_id": case.assignee_id})
    return case


def _pending_case(*, target_type: str, target_id: str, owner_id: int | None, category: str,
                  source: CaseSource, actor: User | None) -> Case:
    """The target's pending case, locked; opened when there is none."""
    pending = Case.objects.select_for_update().filter(
        target_type=target_type, target_id=target_id, status__in=PENDING_STATUSES)
    case = pending.first()
    if case is not None:
        return case
    try:
        with transaction.atomic():
            case = Case.objects.create(target_type=target_type, target_id=target_id,
                                       owner_id=owner_id, category=category, source=source,
                                       priority=_priority(category, 0))
    except IntegrityError:  # a concurrent report opened it first
        return pending.get()
    CaseEvent.objects.create(case=case, actor=actor, kind=CaseEvent.Kind.OPENED,
                             to_status=case.status, data={"source": source})
    return case


@transaction.atomic
def report_create(*, reporter: User, target_type: str, target_id: str, reason: str,
                  note: str = "") -> tuple[Report, bool]:
    """File a report; reports on one target merge into its pending case. Idempotent per
    reporter and case: (report, created)."""
    if reason == ReasonCode.NO_VIOLATION or reason not in ReasonCode.values:
        raise DomainError("moderation.invalid_reason", "Pick a reason from the list.",
                          fields={"reason": ["Invalid reason."]})
    target = target_type_get(target_type)
    owner_id = target.owner_of(target_id)
    hidden = (owner_id is not None and owner_id != reporter.pk and target.visible_to is not None
              and not target.visible_to(target_id, reporter.pk))
    if owner_id is None or hidden:
        # The same answer for what does not exist and what the reporter may not see.
        raise NotFoundError("moderation.target_not_found", "There is nothing to report here.")
    if owner_id == reporter.pk:
        raise DomainError("moderation.cannot_report_self", "You cannot report yourself.")
    case = _pending_case(target_type=target_type, target_id=target_id, owner_id=owner_id,
                         category=reason, source=CaseSource.REPORT, actor=reporter)
    existing = Report.objects.filter(case=case, reporter=reporter).first()
    if existing is not None:
        return existing, False
    report = Report.objects.create(case=case, reporter=reporter, reason=reason, note=note)
    case.report_count += 1
    case.priority = max(case.priority, _priority(reason, case.report_count))
    case.save(update_fields=["report_count", "priority", "updated_at"])
    CaseEvent.objects.create(case=case, actor=reporter, kind=CaseEvent.Kind.REPORTED,
                             reason=note, data={"report_id": report.pk, "reason": reason})
    return report, True


@transaction.atomic
def case_open_for_automatic_hit(*, target_type: str, target_id: str, owner_id: int | None,
                                codes: Sequence[str], summary: str) -> Case:
    """A filter said "review": queue the target (merging into its pending case)."""
    category = category_for_codes(codes)
    case = _pending_case(target_type=target_type, target_id=target_id, owner_id=owner_id,
                         category=category, source=CaseSource.AUTOMATIC, actor=None)
    case.codes = list(dict.fromkeys([*case.codes, *codes]))
    case.summary = case.summary or summary
    case.priority = max(case.priority, _priority(category, case.report_count))
    case.save(update_fields=["codes", "summary", "priority", "updated_at"])
    CaseEvent.objects.create(case=case, actor=None, kind=CaseEvent.Kind.AUTOMATIC_HIT,
                             reason=summary, data={"codes": list(codes)})
    return case


@transaction.atomic
def case_assign(*, case_id: int, moderator: User, assignee_id: int | None) -> Case:
    """Take a case, hand it to another moderator, or (assignee None) put it back."""
    check_moderator(moderator)
    case = case_lock(case_id)
    if assignee_id is None:
        return case_transition(case_id=case.pk, to=CaseStatus.OPEN, actor=moderator,
                               reason="unassigned")
    assignee = user_get(user_id=assignee_id)
    if assignee is None or not is_moderator(assignee):
        raise DomainError("moderation.invalid_assignee", "The assignee must be a moderator.",
                          fields={"assignee_id": ["Not a moderator."]})
    check_not_own_content(moderator, case.owner_id)
    check_not_own_content(assignee, case.owner_id)
    return case_transition(case_id=case.pk, to=CaseStatus.ASSIGNED, actor=moderator,
                           reason="assigned", assignee_id=assignee.pk)
