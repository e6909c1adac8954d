"""Event payloads for the people a moderation outcome concerns (stored, pushed after commit)."""

from django.db.models import QuerySet

from events.facade import event_publish

from .models import Appeal, Decision, Report

APPEAL_ENDPOINT = "/api/v1/appeals"


def decision_publish(decision: Decision) -> None:
    """The affected person learns what happened, why, and how to appeal."""
    if decision.subject_id is None:
        return
    case = decision.case
    event_publish(user_id=decision.subject_id, type="moderation.decision", payload={
        "decision_id": decision.pk,
        "action": decision.action,
        "reason_code": decision.reason_code,
        "target": {"type": case.target_type, "id": case.target_id},
        "suspended_until": (decision.suspended_until.isoformat()
                            if decision.suspended_until else None),
        "appeal": {"method": "POST", "endpoint": APPEAL_ENDPOINT,
                   "body": {"decision_id": decision.pk, "statement": "..."}},
    })


def reporters_publish(reports: QuerySet[Report], *, actioned: bool) -> None:
    """Reporters hear that their report was handled, not what happened to the other person."""
    for reporter_id in reports.values_list("reporter_id", flat=True).distinct():
        event_publish(user_id=reporter_id, type="moderation.report_resolved",
                      payload={"outcome": "actioned" if actioned else "no_violation"})


def appeal_decided_publish(appeal: Appeal) -> None:
    event_publish(user_id=appeal.appellant_id, type="moderation.appeal_decided", payload={
        "appeal_id": appeal.pk,
        "decision_id": appeal.decision_id,
        "outcome": appeal.status,
        "reason": appeal.decision_reason,
    })
