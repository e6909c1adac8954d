"""Celery entry points: take ids, call a service."""

from uuid import UUID

from celery import shared_task

from .approvals import approvals_expire_due
from .enrollment import enrollment_verify


@shared_task(name="cameo.tasks.verify_enrollment", acks_late=True, reject_on_worker_lost=True)
def verify_enrollment_task(enrollment_id: str) -> str:
    return enrollment_verify(enrollment_id=UUID(enrollment_id))


@shared_task(name="cameo.tasks.expire_approvals")
def expire_approvals() -> int:
    return approvals_expire_due()
