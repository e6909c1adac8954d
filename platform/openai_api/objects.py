"""Castline's values in the shapes the OpenAI SDKs parse (openai.types.Video and friends)."""

from datetime import datetime
from typing import Any
from uuid import UUID

from django.conf import settings

from core.errors import NotFoundError
from core.ids import parse_uuid
from generation import facade as generation

ID_PREFIX = "video_"
# A cancelled or blocked job is a failed one to OpenAI's four states.
_STATUS = {generation.STATUS_QUEUED: "queued", generation.STATUS_IN_PROGRESS: "in_progress",
           generation.STATUS_COMPLETED: "completed", generation.STATUS_FAILED: "failed",
           generation.STATUS_CANCELLED: "failed", generation.STATUS_BLOCKED: "failed"}


def video_public_id(video_id: UUID) -> str:
    return f"{ID_PREFIX}{video_id.hex}"


def parse_video_id(text: str, *, param: str = "video_id") -> UUID:
    """Our ids (video_<hex>) or a bare UUID; anything else names no video: a 404."""
    raw = text.removeprefix(ID_PREFIX)
    parsed = parse_uuid(raw) if len(raw) in (32, 36) else None
    if parsed is None:
        raise NotFoundError("not_found", f"No video with id '{text[:80]}'.",
                            fields={param: ["Unknown id."]})
    return parsed


def _unix(moment: datetime | None) -> int | None:
    return int(moment.timestamp()) if moment is not None else None


def video_object(info: generation.VideoInfo, model: str) -> dict[str, Any]:
    status = _STATUS[info.status]
    error = None
    if status == "failed":
        error = {"code": info.error_code or f"generation.{info.status}",
                 "message": info.error_message or f"The video was {info.status}."}
    return {
        "id": video_public_id(info.id),
        "object": "video",
        "created_at": _unix(info.created_at),
        "completed_at": _unix(info.finished_at) if status in ("completed", "failed") else None,
        "expires_at": None,  # Castline keeps its files until their owner deletes them
        "error": error,
        "model": model,
        "progress": 100 if status == "completed" else max(0, min(99, round(info.progress * 100))),
        "prompt": info.prompt,
        "remixed_from_video_id": video_public_id(info.remix_of_id) if info.remix_of_id else None,
        "seconds": str(info.seconds),
        "size": f"{info.width}x{info.height}",
        "status": status,
    }


def poll_after_ms(info: generation.VideoInfo) -> int | None:
    """How long a poller should wait: longer the more jobs are queued before this one."""
    base = settings.OPENAI_POLL_AFTER_MS
    if info.status == generation.STATUS_IN_PROGRESS:
        return base
    if info.status == generation.STATUS_QUEUED:
        return base * (1 + min(generation.queued_ahead(video_id=info.id), 9))
    return None
