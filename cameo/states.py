"""Lifecycle tables of the cameo app and the one locked transition service per noun."""

from collections.abc import Mapping
from typing import TypeVar
from uuid import UUID

from django.db import models, transaction
from django.utils import timezone

from core.lifecycle import Lifecycle

from .models import Approval, Cameo, Enrollment, Grant

CS, ES, GS, AS = Cameo.Status, Enrollment.Status, Grant.Status, Approval.Status

CAMEO_TRANSITIONS: dict[str, set[str]] = {
    CS.PENDING: {CS.VERIFIED, CS.REJECTED},
    CS.REJECTED: {CS.PENDING},  # a new attempt
    CS.VERIFIED: set(),  # re-enrolling keeps it verified; deleting removes the row
}
ENROLLMENT_TRANSITIONS: dict[str, set[str]] = {
    ES.PENDING: {ES.VERIFIED, ES.REJECTED},
    ES.VERIFIED: set(),
    ES.REJECTED: set(),
}
GRANT_TRANSITIONS: dict[str, set[str]] = {GS.ACTIVE: {GS.REMOVED}, GS.REMOVED: set()}
APPROVAL_TRANSITIONS: dict[str, set[str]] = {
    AS.PENDING: {AS.APPROVED, AS.DENIED, AS.EXPIRED},
    AS.APPROVED: set(),
    AS.DENIED: set(),
    AS.EXPIRED: set(),
}

M = TypeVar("M", bound=models.Model)


def _lifecycle(name: str, model: type[M], moves: Mapping[str, set[str]]) -> Lifecycle[M]:
    return Lifecycle(name=f"cameo.{name}", model=model, error_code="cameo.invalid_transition",
                     moves={state: frozenset(to) for state, to in moves.items()})


CAMEO = _lifecycle("cameo", Cameo, CAMEO_TRANSITIONS)
ENROLLMENT = _lifecycle("enrollment", Enrollment, ENROLLMENT_TRANSITIONS)
GRANT = _lifecycle("grant", Grant, GRANT_TRANSITIONS)
APPROVAL = _lifecycle("approval", Approval, APPROVAL_TRANSITIONS)


def _transition(lifecycle: Lifecycle[M], pk: object, to: str, stamp: str | None, *,
                actor_id: int | None, reason: str) -> M:
    row = lifecycle.lock(pk=pk)
    also = []
    if stamp:
        setattr(row, stamp, timezone.now())
        also.append(stamp)
    lifecycle.move(row, to, actor_id=actor_id, reason=reason, also=also)
    return row


# actor_id: the user whose request made the move (None: the system, e.g. a worker or expiry);
# reason: a short code saying why, kept in the audit trail (core.StateChange).
@transaction.atomic
def cameo_transition(*, cameo_id: UUID, to: str, actor_id: int | None, reason: str) -> Cameo:
    return _transition(CAMEO, cameo_id, to, "verified_at" if to == CS.VERIFIED else None,
                       actor_id=actor_id, reason=reason)


@transaction.atomic
def enrollment_transition(*, enrollment_id: UUID, to: str, actor_id: int | None,
                          reason: str) -> Enrollment:
    return _transition(ENROLLMENT, enrollment_id, to, "finished_at", actor_id=actor_id,
                       reason=reason)


@transaction.atomic
def grant_transition(*, grant_id: int, to: str, actor_id: int | None, reason: str) -> Grant:
    return _transition(GRANT, grant_id, to, "removed_at", actor_id=actor_id, reason=reason)


@transaction.atomic
def approval_transition(*, approval_id: UUID, to: str, actor_id: int | None,
                        reason: str) -> Approval:
    return _transition(APPROVAL, approval_id, to, "decided_at", actor_id=actor_id,
                       reason=reason)
