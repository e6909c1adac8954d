"""Consent narrowing takes effect in the transaction that narrows it.

Lock order, everywhere: the cameo's active jobs (by id), then the cameo row. The worker holds a
job's row while it fences and stores, so a job is either stored before the change (and then
taken down here) or sees the revoked receipt and stops; it is never stored afterwards.
"""

from django.utils import timezone

from accounts.facade import User
from generation import facade as generation

from . import events
from .consent_log import consent_log_append
from .models import Approval, Cameo, Receipt
from .selectors import cast_refusal
from .states import approval_transition

ACTIVE = generation.ACTIVE_STATUSES
REVOKED = "cameo.consent_revoked"


def cameo_lock_for_change(*, owner: User) -> Cameo | None:
    """Lock the jobs using the owner's cameo, then the cameo; call inside a transaction."""
    video_ids = Receipt.objects.filter(owner=owner, revoked_at__isnull=True,
                                       video__status__in=ACTIVE).values_list("video_id",
                                                                             flat=True)
    generation.videos_lock_for_consent_change(video_ids=video_ids)
    # of=self: the owner's account row stays unlocked (logins and profile edits touch it)
    return (Cameo.objects.select_for_update(of=("self",)).select_related("owner")
            .filter(owner=owner).first())


def receipt_revoke(*, receipt: Receipt, code: str, actor_id: int | None, refund: bool,
                   extensions_too: bool = True) -> bool:
    """Revoke one receipt and stop or take down its video, and the videos that continue it;
    False when nothing was left to do."""
    generation.video_lock(video_id=receipt.video_id)
    # Read under the lock, not from `receipt`: a revocation of an earlier video in a relay may
    # have revoked this one since the caller loaded it.
    if not Receipt.objects.filter(pk=receipt.pk, revoked_at__isnull=True).update(
            revoked_at=timezone.now(), revoke_reason=code):
        return False
    pending = Approval.objects.filter(receipt=receipt, status=Approval.Status.PENDING).first()
    if pending is not None:
        approval_transition(approval_id=pending.pk, to=Approval.Status.DENIED,
                            actor_id=actor_id, reason=code)
    video_status = generation.job_block_for_consent(video_id=receipt.video_id, code=code,
                                                    actor_id=actor_id, refund=refund)
    consent_log_append(owner_id=receipt.owner_id, kind="revoked", actor_id=actor_id,
                       data={"receipt_id": str(receipt.pk), "video_id": str(receipt.video_id),
                             "requester_id": receipt.requester_id, "code": code,
                             "video_status": video_status})
    events.revoked_publish(receipt, code)
    if extensions_too:
        _revoke_in_extensions(receipt=receipt, code=code, actor_id=actor_id, refund=refund)
    return True


def _revoke_in_extensions(*, receipt: Receipt, code: str, actor_id: int | None,
                          refund: bool) -> None:
    """Every video that continues this one holds its footage, so the likeness in it: their
    receipts of this owner go too (those jobs stop, those videos come down). The list holds
    every later generation of the relay already, so each is revoked alone."""
    extensions = generation.extensions_of(video_id=receipt.video_id)
    if not extensions:
        return
    for later in (Receipt.objects.filter(owner_id=receipt.owner_id, video_id__in=extensions,
                                         revoked_at__isnull=True)
                  .select_related("requester", "owner").order_by("created_at")):
        receipt_revoke(receipt=later, code=code, actor_id=actor_id, refund=refund,
                       extensions_too=False)


def revocation_enforce(*, cameo: Cameo, actor_id: int | None, everyone: bool = False) -> int:
    """Revoke every live receipt its owner's current settings no longer allow: queued and
    running jobs are blocked (credits released), completed videos taken down with a refund
    (those of excluded people, or all of them: the owner's takedown choice). `everyone`:
    the cameo is being deleted. Returns how many receipts were revoked."""
    receipts = (Receipt.objects.filter(owner_id=cameo.owner_id, revoked_at__isnull=True)
                .select_related("requester", "owner"))
    excluded: dict[int, bool] = {}
    revoked = 0
    for receipt in receipts:
        own = receipt.requester_id == cameo.owner_id
        if receipt.requester_id not in excluded:
            excluded[receipt.requester_id] = everyone or cast_refusal(
                cameo=cameo, requester=receipt.requester) is not None
        status = generation.video_status(video_id=receipt.video_id)
        # The owner's own finished videos are theirs to delete; their running ones stop when
        # the likeness is deleted (the reference frames are gone).
        stop = excluded[receipt.requester_id] and (
            status in ACTIVE or (status == generation.STATUS_COMPLETED and not own))
        take_all = (cameo.takedown_on_revoke == Cameo.Takedown.ALL
                    and status == generation.STATUS_COMPLETED
                    and not own)
        if stop or take_all:
            revoked += receipt_revoke(receipt=receipt, code=REVOKED, actor_id=actor_id,
                                      refund=True)
    return revoked

