"""Cameo event payloads; event_publish stores them in the caller's transaction and pushes
them after it commits."""

from typing import Any

from events.facade import event_publish

from .models import Approval, Cameo, Enrollment, Receipt


def _use(receipt: Receipt) -> dict[str, Any]:
    return {"video_id": str(receipt.video_id), "receipt_id": str(receipt.pk),
            "owner": receipt.owner.handle, "requester": receipt.requester.handle}


def enrollment_publish(cameo: Cameo, enrollment: Enrollment) -> None:
    event_publish(user_id=cameo.owner_id, type=f"cameo.{enrollment.status}",
                  payload={"enrollment_id": str(enrollment.pk), "status": enrollment.status,
                           "reasons": list(enrollment.reasons)})


def used_publish(receipt: Receipt) -> None:
    event_publish(user_id=receipt.owner_id, type="cameo.used", payload=_use(receipt))


def approval_requested_publish(approval: Approval) -> None:
    receipt = approval.receipt
    event_publish(user_id=receipt.owner_id, type="cameo.approval_requested",
                  payload={**_use(receipt), "approval_id": str(approval.pk),
                           "prompt": receipt.video.prompt[:300],
                           "expires_at": approval.expires_at.isoformat()})


def approval_decided_publish(approval: Approval) -> None:
    receipt = approval.receipt
    event_publish(user_id=receipt.requester_id, type="cameo.approval_decided",
                  payload={**_use(receipt), "approval_id": str(approval.pk),
                           "status": approval.status})


def revoked_publish(receipt: Receipt, code: str) -> None:
    event_publish(user_id=receipt.requester_id, type="cameo.revoked",
                  payload={**_use(receipt), "code": code})


def takedown_publish(receipt: Receipt) -> None:
    event_publish(user_id=receipt.requester_id, type="cameo.takedown", payload=_use(receipt))
