"""Applying a decision and undoing it after an overturned appeal.

Content actions go to the target type's registered enforcer; account actions (warn,
suspend, ban) are moderation's own. Suspension is derived from the decision row itself
(`suspended_until`, `reversed_at`), so undoing it is just marking the decision reversed.
"""

from django.db.models import Q
from django.utils import timezone

from accounts.facade import user_deactivate, user_reactivate

from .models import CONTENT_ACTIONS, Decision, DecisionAction
from .targets import CLEARED, REVERSAL_OF, target_type_get


def user_is_suspended(user_id: int) -> bool:
    """Banned, or under a suspension that has not ended and was not overturned."""
    return Decision.objects.filter(
        Q(action=DecisionAction.BAN) |
        Q(action=DecisionAction.SUSPEND, suspended_until__gt=timezone.now()),
        subject_id=user_id, reversed_at__isnull=True).exists()


def decision_enforce(decision: Decision) -> None:
    case = decision.case
    if decision.action in CONTENT_ACTIONS:
        target_type_get(case.target_type).enforce(case.target_id, decision.action)
    elif decision.action == DecisionAction.DISMISS and case.target_type != "account":
        # Reviewed, no violation: content held for review may go out now.
        target_type_get(case.target_type).enforce(case.target_id, CLEARED)
    elif decision.action == DecisionAction.BAN and decision.subject_id is not None:
        user_deactivate(user_id=decision.subject_id)


def decision_reverse(decision: Decision) -> None:
    case = decision.case
    if decision.action in CONTENT_ACTIONS:
        target_type_get(case.target_type).enforce(case.target_id,
                                                  REVERSAL_OF[decision.action])
    elif decision.action == DecisionAction.BAN and decision.subject_id is not None:
        user_reactivate(user_id=decision.subject_id)
    decision.reversed_at = timezone.now()
    decision.save(update_fields=["reversed_at"])

