"""Ask me for every video: the owner approves or denies each job; unanswered ones expire.

No worker waits: the job's first run parks it (casting.fence puts it back to queued and lets
the worker go); approving enqueues it again, denying or expiry blocks it (credits released).
"""

from datetime import timedelta
from uuid import UUID

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts.facade import User
from core.errors import ConflictError, NotFoundError
from generation.dispatch import video_enqueue
from generation.models import Video

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
    events.publish_approval_requested(approval)
    return approval


def _close(approval: Approval, to: str, actor_id: int | None) -> Approval:
    """Lock order as everywhere: the job, then the approval."""
    receipt = approval.receipt
    video = Video.objects.select_for_update().get(pk=receipt.video_id)
    approval = approval_transition(
        approval_id=approval.pk, to=to, actor_id=actor_id,
        reason="unanswered_in_time" if to == Approval.Status.EXPIRED else "owner_decided")
    approval.receipt = receipt
    consent_log_append(owner_id=receipt.owner_id, kind="approval_decided", actor_id=actor_id,
                       data={"approval_id": str(approval.pk), "video_id": str(video.pk),
                             "status": to})
    if to == Approval.Status.APPROVED:
        events.publish_used(receipt)
        if video.status == Video.Status.QUEUED:
            video_enqueue(video_id=video.pk)
    else:
        receipt_revoke(receipt=receipt, code=f"cameo.approval_{to}", actor_id=actor_id,
                       refund=False)
    events.publish_approval_decided(approval)
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


def job_waits_for_approval(*, video_id: UUID) -> str | None:
    """The fence's view of the approvals of a job: None when every one is approved."""
    for approval in Approval.objects.filter(receipt__video_id=video_id):
        if approval.status == Approval.Status.PENDING and approval.expires_at <= timezone.now():
            approval_expire(approval_id=approval.pk)
            return "cameo.approval_expired"
        if approval.status == Approval.Status.PENDING:
            return "cameo.approval_pending" if _park(video_id, approval.pk) else None
        if approval.status != Approval.Status.APPROVED:
            return f"cameo.approval_{approval.status}"
    return None


def _park(video_id: UUID, approval_id: UUID) -> bool:
    """Give the job back to the queue (and its worker back) while the owner decides.

    Returns False when the approval was granted meanwhile (the job may go on). Clearing
    run_token releases the claim: the worker's own end-of-run sees it lost and stays quiet.
    """
    from generation.transitions import video_transition

    with transaction.atomic():
        video = Video.objects.select_for_update().get(pk=video_id)
        status = Approval.objects.values_list("status", flat=True).get(pk=approval_id)
        if status == Approval.Status.APPROVED:
            return False
        if video.status == Video.Status.IN_PROGRESS and status == Approval.Status.PENDING:
            video_transition(video_id=video_id, to=Video.Status.QUEUED,
                             reason="waiting for cameo approval")
            Video.objects.filter(pk=video_id).update(run_token="", stage="awaiting_approval")
        return True

