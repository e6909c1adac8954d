"""Lifecycle tables of the cameo app and the one locked transition service per noun."""

from collections.abc import Mapping
from datetime import datetime
from typing import TypeVar
from uuid import UUID

from django.db import models, transaction
from django.utils import timezone

from core.errors import ConflictError

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


def _transition(model: type[M], table: Mapping[str, set[str]], pk: object, to: str,
                stamp: str | None) -> M:
    row = model._default_manager.select_for_update().get(pk=pk)
    current = row.status  # type: ignore[attr-defined]
    if to not in table[current]:
        raise ConflictError("cameo.invalid_transition",
                            f"A {current} {model._meta.model_name} cannot become {to}.")
    row.status = to  # type: ignore[attr-defined]
    fields = ["status"]
    if stamp:
        setattr(row, stamp, timezone.now())
        fields.append(stamp)
    row.save(update_fields=fields)
    return row


@transaction.atomic
def cameo_transition(*, cameo_id: UUID, to: str) -> Cameo:
    return _transition(Cameo, CAMEO_TRANSITIONS, cameo_id, to,
                       "verified_at" if to == CS.VERIFIED else None)


@transaction.atomic
def enrollment_transition(*, enrollment_id: UUID, to: str) -> Enrollment:
    return _transition(Enrollment, ENROLLMENT_TRANSITIONS, enrollment_id, to, "finished_at")


@transaction.atomic
def grant_transition(*, grant_id: int, to: str) -> Grant:
    return _transition(Grant, GRANT_TRANSITIONS, grant_id, to, "removed_at")


@transaction.atomic
def approval_transition(*, approval_id: UUID, to: str) -> Approval:
    return _transition(Approval, APPROVAL_TRANSITIONS, approval_id, to, "decided_at")


def is_expired(expires_at: datetime | None) -> bool:
    return expires_at is not None and expires_at <= timezone.now()
