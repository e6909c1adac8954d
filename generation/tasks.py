"""Celery entry points: take ids, call a service."""

from typing import Any
from uuid import UUID

from celery import shared_task
from celery.signals import worker_process_init
from django.conf import settings

from core.periodic import periodic_claim

from .pipeline import video_run, worker_backend
from .reaper import videos_reap


@worker_process_init.connect
def warm_backend(**_: Any) -> None:
    """Load the model when a worker process starts, not inside the first job (Celery waits
    CELERY_WORKER_PROC_ALIVE_TIMEOUT for it, so a slow load is not killed)."""
    if settings.GENERATION_WARM_ON_START:
        worker_backend()


@shared_task(name="generation.tasks.generate_video", acks_late=True,
             reject_on_worker_lost=True, soft_time_limit=settings.GENERATION_SOFT_TIME_LIMIT_S,
             time_limit=settings.GENERATION_TIME_LIMIT_S)
def generate_video(video_id: str) -> str:
    return video_run(video_id=UUID(video_id))


@shared_task(name="generation.tasks.reap_stale_videos")
def reap_stale_videos() -> int:
    if not periodic_claim(name="reap_stale_videos", every_s=settings.GENERATION_REAP_INTERVAL_S):
        return 0
    return videos_reap()
