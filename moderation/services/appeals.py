"""Appeals: one per decision, by the affected person, decided by another moderator."""

from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.facade import User
from core.errors import ConflictError, DomainError, ForbiddenError, NotFoundError
from core.lifecycle import row_lock_or_404

from ..enforcement import decision_reverse
from ..events import appeal_decided_publish
from ..models import (
    APPEAL_TRANSITIONS,
    Appeal,
    AppealStatus,
    CaseEvent,
    CaseStatus,
    Decision,
    DecisionAction,
)
from ..roles import check_moderator, check_not_own_content, check_senior
from .cases import case_transition


@transaction.atomic
def appeal_create(*, appellant: User, decision_id: int, statement: str) -> Appeal:
    decision = Decision.objects.select_related("case").filter(pk=decision_id).first()
    # Only the affected person may know the decision exists.
    if decision is None or decision.subject_id != appellant.pk:
        raise NotFoundError("moderation.decision_not_found", "No such decision.")
    if decision.action == DecisionAction.DISMISS or decision.reversed_at is not None:
        raise DomainError("moderation.not_appealable", "There is nothing to appeal here.")
    if not statement.strip():
        raise DomainError("moderation.statement_required", "Tell us why you appeal.",
                          fields={"statement": ["Required."]})
    try:
        with transaction.atomic():
            appeal = Appeal.objects.create(decision=decision, appellant=appellant,
                                           statement=statement.strip())
    except IntegrityError as exc:
        raise ConflictError("moderation.appeal_exists",
                            "This decision was already appealed.") from exc
    case_transition(case_id=decision.case_id, to=CaseStatus.APPEALED, actor=appellant,
                    reason=appeal.statement, kind=CaseEvent.Kind.APPEALED,
                    data={"appeal_id": appeal.pk})
    return appeal


@transaction.atomic
def appeal_transition(*, appeal_id: int, to: AppealStatus, actor: User, reason: str
                      ) -> Appeal:
    """The only place an appeal changes status: uphold, or overturn and undo enforcement."""
    check_moderator(actor)
    appeal = row_lock_or_404(Appeal.objects.filter(pk=appeal_id),
                             code="moderation.appeal_not_found", message="No such appeal.")
    decision = Decision.objects.select_related("case").get(pk=appeal.decision_id)
    if decision.moderator_id == actor.pk:
        raise ForbiddenError("moderation.own_decision",
                             "Another moderator must decide the appeal of your decision.")
    check_not_own_content(actor, decision.case.owner_id)
    if decision.action == DecisionAction.BAN:
        check_senior(actor, what="Deciding the appeal of a ban")
    if to not in APPEAL_TRANSITIONS[appeal.status]:
        raise ConflictError("moderation.appeal_already_decided",
                            f"This appeal is already {appeal.status}.")
    if not reason.strip():
        raise DomainError("moderation.reason_required", "Every outcome needs a reason.",
                          fields={"reason": ["Required."]})
    if to == AppealStatus.OVERTURNED:
        decision_reverse(decision)
    appeal.status = to
    appeal.decided_by = actor
    appeal.decision_reason = reason.strip()
    appeal.decided_at = timezone.now()
    appeal.save(update_fields=["status", "decided_by", "decision_reason", "decided_at"])
    case_transition(case_id=decision.case_id, to=CaseStatus.CLOSED, actor=actor,
                    reason=appeal.decision_reason, kind=CaseEvent.Kind.APPEAL_DECIDED,
                    data={"appeal_id": appeal.pk, "outcome": to})
    appeal_decided_publish(appeal)
    return appeal
