"""Decisions on cases: checked, recorded, enforced and announced in one transaction."""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from accounts.facade import User
from core.errors import DomainError

from ..enforcement import decision_enforce
from ..events import decision_publish, reporters_publish
from ..models import (
    ACCOUNT_ACTIONS,
    CONTENT_ACTIONS,
    PENDING_STATUSES,
    CaseEvent,
    CaseStatus,
    Decision,
    DecisionAction,
    ReasonCode,
)
from ..roles import check_moderator, check_not_own_content, check_senior
from .cases import case_lock, case_transition

MAX_SUSPEND_DAYS = 365


def _check_decision(*, action: str, reason_code: str, target_type: str,
                    owner_id: int | None, suspend_days: int | None) -> None:
    if action not in DecisionAction.values:
        raise DomainError("moderation.invalid_action", "Unknown decision.",
                          fields={"action": ["Invalid action."]})
    if reason_code not in ReasonCode.values or (
            reason_code == ReasonCode.NO_VIOLATION) != (action == DecisionAction.DISMISS):
        raise DomainError("moderation.invalid_reason",
                          "Every decision needs a reason; no_violation goes with dismiss only.",
                          fields={"reason_code": ["Invalid reason."]})
    if action in CONTENT_ACTIONS and target_type == "account":
        raise DomainError("moderation.action_not_applicable",
                          "Accounts can be warned, suspended or banned, not removed.",
                          fields={"action": ["Not applicable to accounts."]})
    if action in ACCOUNT_ACTIONS and owner_id is None:
        raise DomainError("moderation.no_owner", "This target has no known owner to act on.")
    if action == DecisionAction.SUSPEND and not (
            suspend_days is not None and 1 <= suspend_days <= MAX_SUSPEND_DAYS):
        raise DomainError("moderation.invalid_suspension",
                          f"A suspension lasts 1 to {MAX_SUSPEND_DAYS} days.",
                          fields={"suspend_days": ["1-365 days."]})


@transaction.atomic
def case_decide(*, case_id: int, moderator: User, action: str, reason_code: str,
                note: str = "", suspend_days: int | None = None) -> Decision:
    check_moderator(moderator)
    if action == DecisionAction.BAN:
        check_senior(moderator, what="A ban")
    case = case_lock(case_id)
    check_not_own_content(moderator, case.owner_id)
    if case.status not in PENDING_STATUSES:
        raise DomainError("moderation.case_not_pending", "This case was already decided.",
                          status_code=409)
    _check_decision(action=action, reason_code=reason_code, target_type=case.target_type,
                    owner_id=case.owner_id, suspend_days=suspend_days)
    decision = Decision.objects.create(
        case=case, moderator=moderator, subject_id=case.owner_id, action=action,
        reason_code=reason_code, note=note,
        suspended_until=(timezone.now() + timedelta(days=suspend_days)
                         if action == DecisionAction.SUSPEND and suspend_days else None))
    dismissed = action == DecisionAction.DISMISS
    decision.case = case_transition(
        case_id=case.pk, to=CaseStatus.DISMISSED if dismissed else CaseStatus.ACTIONED,
        actor=moderator, reason=note or reason_code, kind=CaseEvent.Kind.DECIDED,
        data={"decision_id": decision.pk, "action": action, "reason_code": reason_code})
    decision_enforce(decision)
    if not dismissed:
        decision_publish(decision)
    reporters_publish(case.reports.all(), actioned=not dismissed)
    return decision
