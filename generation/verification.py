"""Verifying any file: its C2PA manifest and the generation its watermark points to."""

from dataclasses import asdict
from pathlib import Path
from typing import Any

from core.errors import DomainError
from generation.provenance.c2pa_verify import verify_file
from generation.provenance.errors import TOO_LARGE, ProvenanceError
from generation.provenance.media import MAX_FRAME_PIXELS

from .postprocess import trust_anchors_pem
from .selectors import video_by_watermark


def _public_facts(watermark_id: int) -> dict[str, Any] | None:
    video = video_by_watermark(watermark_id=watermark_id)
    if video is None:
        return None
    return {"video_id": str(video.pk), "creator": f"@{video.owner.handle}",
            "created_at": video.created_at.isoformat(), "model": video.model_name,
            "remix_of": str(video.remix_of_id) if video.remix_of_id else None,
            "available": video.deleted_at is None and video.status == "completed"}


def provenance_verify(*, source: bytes | Path) -> dict[str, Any]:
    try:
        report = verify_file(source, trust_anchors_pem())
    except ProvenanceError as exc:
        if exc.code == TOO_LARGE:
            raise DomainError("upload.too_large", "The picture is too large (at most "
                              f"{MAX_FRAME_PIXELS} pixels).", status_code=413) from exc
        raise DomainError("provenance.unreadable",
                          "The file is not a video we can read.") from exc
    body = asdict(report)
    payload = report.watermark_payload
    heard = report.audio_watermark_payload
    watermark: dict[str, Any] = {
        "found": report.watermark_found, "payload": None, "generation": None,
        "audio": {"found": report.audio_watermark_found,
                  "payload": f"{heard:016x}" if heard is not None else None}}
    # The picture's mark first; the soundtrack's when the picture lost it (or has none).
    if report.watermark_found and payload is not None:
        watermark["payload"] = f"{payload:016x}"
        watermark["generation"] = _public_facts(payload)
    elif heard is not None:
        watermark["generation"] = _public_facts(heard)
    c2pa = {key: body[key] for key in ("validation_state", "validation_errors", "generator",
                                       "title", "actions", "ingredients", "consent",
                                       "soft_binding")}
    c2pa.update(present=report.c2pa_present, valid=report.c2pa_valid,
                trusted=report.c2pa_trusted)
    verdict = "castline" if watermark["generation"] or report.c2pa_trusted else "unknown"
    return {"verdict": verdict, "c2pa": c2pa, "watermark": watermark}
