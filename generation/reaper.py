"""The reaper: no job stays active with its credits held because a worker or the broker let
it down. Runs on the maintenance queue (its own worker), so a hung generation cannot block it.

- running, heartbeat stale (the worker died): retried once, then failed (worker_lost);
- running, cancel requested, heartbeat stale: cancelled now, no retry spent;
- running past the hard time limit (its process was killed): failed (timed_out);
- queued, sent long ago and never started (the broker lost it): sent again.
"""

from datetime import datetime, timedelta
from uuid import UUID

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from .dispatch import video_enqueue
from .models import Video
from .transitions import video_transition

S = Video.Status
AWAITING_APPROVAL = "awaiting_approval"  # parked by the cameo app until an owner decides


# After the hard time limit (and a margin for the kill) a run cannot still be alive.
KILL_MARGIN_S = 60


def _settle_stale_run(video: Video, stale_before: datetime) -> bool:
    """The caller holds the row lock; True when the job was reaped."""
    now = timezone.now()
    hard_limit = timedelta(seconds=settings.GENERATION_TIME_LIMIT_S + KILL_MARGIN_S)
    if video.started_at and video.started_at < now - hard_limit:
        video_transition(video_id=video.pk, to=S.FAILED, reason="time limit",
                         error_code="generation.timed_out",
                         error_message="Generation took too long; your credits were returned.")
        return True
    cancel_before = now - timedelta(seconds=settings.GENERATION_CANCEL_SETTLE_AFTER_S)
    if video.cancel_requested and video.heartbeat_at and video.heartbeat_at < cancel_before:
        video_transition(video_id=video.pk, to=S.CANCELLED, reason="cancelled; worker gone",
                         error_code="generation.cancelled", error_message="Cancelled.")
        return True
    if not (video.heartbeat_at and video.heartbeat_at < stale_before):
        return False
    if video.attempts < settings.GENERATION_MAX_ATTEMPTS:
        video_transition(video_id=video.pk, to=S.QUEUED, reason="worker lost; retrying")
        Video.objects.filter(pk=video.pk).update(run_token="")
        video_enqueue(video_id=video.pk)
    else:
        video_transition(video_id=video.pk, to=S.FAILED, reason="worker lost",
                         error_code="generation.worker_lost",
                         error_message="The worker stopped; your credits were returned.")
    return True


def _reap_running(video_id: UUID) -> bool:
    stale_before = timezone.now() - timedelta(seconds=settings.GENERATION_STALE_AFTER_S)
    with transaction.atomic():
        video = Video.objects.select_for_update().get(pk=video_id)
        return video.status == S.IN_PROGRESS and _settle_stale_run(video, stale_before)


def _resend_queued(video_id: UUID, sent_before: datetime) -> bool:
    with transaction.atomic():
        video = Video.objects.select_for_update().get(pk=video_id)
        sent_at = video.enqueued_at or video.created_at
        if video.status != S.QUEUED or video.stage == AWAITING_APPROVAL or \
                sent_at >= sent_before:
            return False
        video_enqueue(video_id=video.pk)
        return True


def videos_reap() -> int:
    """One sweep; returns how many jobs it settled or sent again."""
    now = timezone.now()
    stale = now - timedelta(seconds=min(settings.GENERATION_STALE_AFTER_S,
                                        settings.GENERATION_CANCEL_SETTLE_AFTER_S))
    running = Video.objects.filter(status=S.IN_PROGRESS, heartbeat_at__lt=stale)
    reaped = sum(_reap_running(pk) for pk in running.values_list("pk", flat=True))
    sent_before = now - timedelta(seconds=settings.GENERATION_REQUEUE_AFTER_S)
    queued = Video.objects.filter(
        Q(enqueued_at__lt=sent_before) | Q(enqueued_at__isnull=True, created_at__lt=sent_before),
        status=S.QUEUED).exclude(stage=AWAITING_APPROVAL)
    reaped += sum(_resend_queued(pk, sent_before) for pk in queued.values_list("pk", flat=True))
    return reaped
