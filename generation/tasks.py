"""Celery entry points: take ids, call a service."""

from uuid import UUID

from celery import shared_task

from .pipeline import video_run, videos_reap_stale


@shared_task(name="generation.tasks.generate_video", acks_late=True,
             reject_on_worker_lost=True)
def generate_video(video_id: str) -> str:
    return video_run(video_id=UUID(video_id))


@shared_task(name="generation.tasks.reap_stale_videos")
def reap_stale_videos() -> int:
    return videos_reap_stale()
