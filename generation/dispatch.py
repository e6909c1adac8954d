"""Queueing a job: one way, through the outbox, in the caller's transaction.

The task row commits with the job (or not at all); it is sent after commit and re-sent by the
outbox relay while the broker refuses, so a committed job is never left unsent.
"""

from uuid import UUID

from django.utils import timezone

from core.outbox import task_send_on_commit

from .models import Video

GENERATE_TASK = "generation.tasks.generate_video"


def video_enqueue(*, video_id: UUID) -> None:
    Video.objects.filter(pk=video_id).update(enqueued_at=timezone.now())
    task_send_on_commit(GENERATE_TASK, str(video_id))
