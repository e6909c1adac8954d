"""The only place a video's status changes: one table, one locked transition service.

Credits follow the status in the same transaction, so a job can never end without its
reservation captured (completed) or released (every other end), and never both.
"""

from uuid import UUID

from django.db import transaction
from django.utils import timezone

from billing import facade as billing
from core.errors import ConflictError
from core.lifecycle import Lifecycle

from . import events
from .access import shown_changed
from .models import TERMINAL, Video, VideoTransition

S = Video.Status
TRANSITIONS: dict[str, set[str]] = {
    S.QUEUED: {S.IN_PROGRESS, S.CANCELLED, S.BLOCKED, S.FAILED},
    # back to QUEUED: a worker died and the reaper gives the job another attempt
    S.IN_PROGRESS: {S.COMPLETED, S.FAILED, S.CANCELLED, S.BLOCKED, S.QUEUED},
    # taken down after completion: moderation removal or a revoked consent
    S.COMPLETED: {S.BLOCKED},
    S.FAILED: set(),
    S.CANCELLED: set(),
    # an appeal overturned a takedown (only for videos that were stored)
    S.BLOCKED: {S.COMPLETED},
}


def _record(video: Video, from_status: str, to_status: str, actor_id: int | None,
            reason: str) -> None:
    VideoTransition.objects.create(video=video, from_status=from_status, to_status=to_status,
                                   actor_id=actor_id, reason=reason[:200])


VIDEO = Lifecycle(name="generation.video", model=Video, error_code="generation.invalid_transition",
                  moves={state: frozenset(to) for state, to in TRANSITIONS.items()},
                  record=_record)


def _settle_credits(video: Video, from_status: str, to_status: str, *, refund: bool) -> None:
    reference = video.reservation_reference
    if to_status == S.COMPLETED:
        billing.credits_capture(reference=reference)
    elif to_status in TERMINAL and from_status not in TERMINAL:
        billing.credits_release(reference=reference, reason=to_status)
    elif from_status == S.COMPLETED and refund:
        billing.credits_refund(reference=reference, reason="consent_revoked")


@transaction.atomic
def video_transition(*, video_id: UUID, to: str, actor_id: int | None = None,
                     reason: str = "", error_code: str = "", error_message: str = "",
                     refund: bool = False) -> Video:
    video = VIDEO.lock(pk=video_id)
    if to == S.COMPLETED and video.status == S.BLOCKED and not video.video_file:
        raise ConflictError(VIDEO.error_code, f"A {video.status} video cannot become {to}.")
    now = timezone.now()
    changed = []
    if to == S.IN_PROGRESS:
        video.started_at = video.heartbeat_at = now
        changed += ["started_at", "heartbeat_at"]
    if to in TERMINAL:
        video.finished_at, video.stage = now, to
        changed += ["finished_at", "stage"]
    if to == S.COMPLETED:
        video.progress = 1.0
        changed.append("progress")
    if error_code:
        video.error_code, video.error_message = error_code, error_message[:300]
        changed += ["error_code", "error_message"]
    from_status = VIDEO.move(video, to, actor_id=actor_id, reason=reason, also=changed)
    _settle_credits(video, from_status, to, refund=refund)
    if S.COMPLETED in (from_status, to):
        shown_changed(video)
    events.status_publish(video)
    return video
