"""Ask me for every video: the owner approves or denies each job; unanswered ones expire.

No worker waits: the job's first run parks it (casting.fence puts it back to queued and lets
the worker go); approving enqueues it again, denying or expiry blocks it (credits released).
Every move of the job goes through generation.facade.
"""

from datetime import timedelta
from uuid import UUID

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts.facade import User
from core.errors import ConflictError, NotFoundError
from generation import facade as generation

from . import events
from .consent_log import consent_log_append
from .models import Approval, Receipt
from .revocation import receipt_revoke
from .states import approval_transition


def approval_request(*, receipt: Receipt) -> Approval:
    approval = Approval.objects.create(
        receipt=receipt,
        expires_at=timezone.now() + timedelta(seconds=settings.CAMEO_APPROVAL_TTL_S))
    consent_log_append(owner_id=receipt.owner_id, kind="approval_requested",
                       actor_id=receipt.requester_id,
                       data={"approval_id": str(approval.pk), "video_id": str(receipt.video_id)})
    events.approval_requested_publish(approval)
    return approval


def _close(approval: Approval, to: str, actor_id: int | None) -> Approval:
    """Lock order as everywhere: the job, then the approval."""
    receipt = approval.receipt
    video_status = generation.video_lock(video_id=receipt.video_id)
    approval = approval_transition(
        approval_id=approval.pk, to=to, actor_id=actor_id,
        reason="unanswered_in_time" if to == Approval.Status.EXPIRED else "owner_decided")
    approval.receipt = receipt
    consent_log_append(owner_id=receipt.owner_id, kind="approval_decided", actor_id=actor_id,
                       data={"approval_id": str(approval.pk), "video_id": str(receipt.video_id),
                             "status": to})
    if to == Approval.Status.APPROVED:
        events.used_publish(receipt)
        if video_status == generation.STATUS_QUEUED:
            generation.job_enqueue(video_id=receipt.video_id)
    else:
        receipt_revoke(receipt=receipt, code=f"cameo.approval_{to}", actor_id=actor_id,
                       refund=False)
    events.approval_decided_publish(approval)
    return approval


@transaction.atomic
def approval_decide(*, user: User, approval_id: UUID, approve: bool) -> Approval:
    approval = Approval.objects.select_related("receipt__owner", "receipt__requester").filter(
        pk=approval_id, receipt__owner=user).first()
    if approval is None:
        raise NotFoundError("not_found", "No such approval request.")
    if approval.status == Approval.Status.PENDING and approval.expires_at <= timezone.now():
        _close(approval, Approval.Status.EXPIRED, None)
        raise ConflictError("cameo.approval_expired", "This request has expired.")
    if approval.status != Approval.Status.PENDING:
        raise ConflictError("cameo.approval_decided", f"This request was {approval.status}.")
    return _close(approval, Approval.Status.APPROVED if approve else Approval.Status.DENIED,
                  user.pk)


def approval_expire(*, approval_id: UUID) -> bool:
    with transaction.atomic():
        approval = Approval.objects.select_related("receipt__owner", "receipt__requester"
                                                   ).get(pk=approval_id)
        if approval.status != Approval.Status.PENDING or approval.expires_at > timezone.now():
            return False
        _close(approval, Approval.Status.EXPIRED, None)
        return True


def approvals_expire_due() -> int:
    """Periodic sweep (and lazily on reads): expire what nobody answered in time."""
    due = Approval.objects.filter(status=Approval.Status.PENDING,
                                  expires_at__lte=timezone.now()).values_list("pk", flat=True)
    return sum(approval_expire(approval_id=pk) for pk in list(due))


def job_fence_on_approvals(*, video_id: UUID) -> generation.FenceVerdict:
    """The fence's move on a job's approvals: expire one nobody answered in time (the job is
    blocked), park the job while one is pending, stop it when one was denied."""
    for approval in Approval.objects.filter(receipt__video_id=video_id):
        if approval.status == Approval.Status.PENDING and approval.expires_at <= timezone.now():
            approval_expire(approval_id=approval.pk)
            return generation.FenceVerdict.broken("cameo.approval_expired")
        if approval.status == Approval.Status.PENDING:
            return (generation.FENCE_PARKED if _job_park(video_id, approval.pk)
                    else generation.FENCE_HOLDS)
        if approval.status != Approval.Status.APPROVED:
            return generation.FenceVerdict.broken(f"cameo.approval_{approval.status}")
    return generation.FENCE_HOLDS


def _job_park(video_id: UUID, approval_id: UUID) -> bool:
    """Give the job back to the queue while the owner decides; False when the approval was
    granted meanwhile (the job may go on). Lock order: the job, then the approval."""
    with transaction.atomic():
        generation.video_lock(video_id=video_id)
        status = Approval.objects.values_list("status", flat=True).get(pk=approval_id)
        if status == Approval.Status.APPROVED:
            return False
        if status == Approval.Status.PENDING:
            generation.job_park_for_approval(video_id=video_id)
        return True
