"""The job moves a consent change makes (called by cameo through generation.facade).

Lock order, everywhere: the jobs (by id), then the consent rows. Every status change goes
through transitions.video_transition, so credits and events follow as for any other end.
"""

from collections.abc import Iterable
from uuid import UUID

from django.db import transaction

from .dispatch import video_enqueue
from .models import ACTIVE, Video
from .specs import shot_texts
from .transitions import video_transition

S = Video.Status
CONSENT_WITHDRAWN = "A cameo's owner withdrew consent for this video."


def videos_lock_for_consent_change(*, video_ids: Iterable[UUID]) -> None:
    """Lock these jobs' rows in id order; call inside the transaction that changes consent."""
    list(Video.objects.select_for_update().filter(pk__in=list(video_ids)).order_by("pk")
         .values_list("pk", flat=True))


def video_lock(*, video_id: UUID) -> str:
    """Lock one job's row for the caller's transaction; its status."""
    return Video.objects.select_for_update().values_list("status", flat=True).get(pk=video_id)


def video_status(*, video_id: UUID) -> str:
    return Video.objects.values_list("status", flat=True).get(pk=video_id)


def job_enqueue(*, video_id: UUID) -> None:
    """Send a queued job (back) to the workers, after the caller's commit."""
    video_enqueue(video_id=video_id)


@transaction.atomic
def job_park_for_approval(*, video_id: UUID) -> None:
    """Give a running job back to the queue (and its worker back) while an owner decides.

    Clearing run_token releases the claim: the worker's own end-of-run sees it lost and stays
    quiet. Approving enqueues it again (job_enqueue).
    """
    if video_lock(video_id=video_id) != S.IN_PROGRESS:
        return
    video_transition(video_id=video_id, to=S.QUEUED, reason="waiting for cameo approval")
    Video.objects.filter(pk=video_id).update(run_token="", stage="awaiting_approval")


@transaction.atomic
def job_block_for_consent(*, video_id: UUID, code: str, actor_id: int | None,
                          refund: bool) -> str:
    """Stop a queued or running job (credits released) or take down a completed video
    (credits refunded when `refund`); returns the status it had before."""
    status = video_lock(video_id=video_id)
    if status in ACTIVE:
        video_transition(video_id=video_id, to=S.BLOCKED, actor_id=actor_id, reason=code,
                         error_code=code, error_message=CONSENT_WITHDRAWN)
    elif status == S.COMPLETED:
        video_transition(video_id=video_id, to=S.BLOCKED, actor_id=actor_id, reason=code,
                         error_code=code, error_message=CONSENT_WITHDRAWN, refund=refund)
    return status


def video_prompts(*, video_id: UUID) -> list[str]:
    """The job's prompt and each shot's: what an owner's rules are checked against."""
    prompt, shots = Video.objects.values_list("prompt", "shots").get(pk=video_id)
    return [prompt, *(text for shot in shots for text in shot_texts(shot) if text)]
