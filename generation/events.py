"""Payloads of generation events; published with the transaction that caused them."""

from collections.abc import Callable

from accounts.facade import User
from events.facade import event_publish

from .models import Video

# Called inside the transaction of every status change (the /v1 door's webhooks).
_status_listeners: list[Callable[[Video], None]] = []


def status_listener_register(listener: Callable[[Video], None]) -> None:
    _status_listeners.append(listener)


def video_brief(video: Video) -> dict[str, object]:
    return {"id": str(video.pk), "status": video.status, "progress": round(video.progress, 3),
            "stage": video.stage}


def progress_publish(video: Video) -> None:
    event_publish(user_id=video.owner_id, type="generation.progress", payload=video_brief(video))


def status_publish(video: Video) -> None:
    payload = video_brief(video)
    if video.status == Video.Status.COMPLETED:
        event_publish(user_id=video.owner_id, type="generation.completed", payload=payload)
    elif video.status in (Video.Status.FAILED, Video.Status.BLOCKED):
        payload["error"] = {"code": video.error_code, "message": video.error_message}
        event_publish(user_id=video.owner_id, type="generation.failed", payload=payload)
    elif video.status == Video.Status.CANCELLED:
        event_publish(user_id=video.owner_id, type="generation.cancelled", payload=payload)
    for listener in _status_listeners:
        listener(video)


def extended_publish(*, source: Video, extension: Video, by: User) -> None:
    """The source's creator hears that someone continues their video (not when it is their
    own relay)."""
    if source.owner_id != by.pk:
        event_publish(user_id=source.owner_id, type="generation.extended",
                      payload={"video_id": str(source.pk), "extension_id": str(extension.pk),
                               "seconds": extension.seconds,
                               "by": {"handle": by.handle, "display_name": by.display_name}})
