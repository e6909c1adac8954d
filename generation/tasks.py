"""Celery entry points: take ids, call a service."""

import logging
import threading
from typing import Any
from uuid import UUID

from celery import shared_task
from celery.signals import worker_process_init
from django.conf import settings

from core.periodic import periodic_claim

from .pipeline import video_run, warm_up_spec, worker_backend
from .reaper import videos_reap

logger = logging.getLogger(__name__)


def warm_up() -> float | None:
    """One short job of the default shape (compilation, CUDA graph capture happen here, not
    in a user's job); None when the backend has no warm-up or nothing needs one."""
    backend = worker_backend()
    run = getattr(backend, "warm_up", None)
    if run is None or not settings.GENERATION_COMPILE:
        return None
    seconds = float(run(warm_up_spec()))
    logger.info("generation warm-up done", extra={"seconds": round(seconds, 2)})
    return seconds


@worker_process_init.connect
def warm_backend(**_: Any) -> None:
    """Load the model when a worker process starts, not inside the first job (Celery waits
    CELERY_WORKER_PROC_ALIVE_TIMEOUT for it, so a slow load is not killed); then the warm-up
    job, inside that wait or in a thread beside it (GENERATION_WARM_UP)."""
    if not settings.GENERATION_WARM_ON_START:
        return
    worker_backend()
    if settings.GENERATION_WARM_UP == "start":
        warm_up()
    elif settings.GENERATION_WARM_UP == "background":
        # The backend's lock makes the child's first job wait for it.
        threading.Thread(target=warm_up, name="generation-warm-up", daemon=True).start()


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
