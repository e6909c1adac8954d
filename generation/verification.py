"""Verifying any file: its C2PA manifest and the generation its watermark points to, with
that generation's manifest from the repository (what a stripped copy has lost) and lineage."""

import base64
from dataclasses import asdict
from pathlib import Path
from typing import Any

from core.errors import DomainError
from generation.provenance.c2pa_verify import verify_file
from generation.provenance.errors import TOO_LARGE, ProvenanceError
from generation.provenance.manifest_store import check_store
from generation.provenance.media import MAX_FRAME_PIXELS

from .manifests import manifest_records_by_binding, manifest_store_bytes
from .models import Video
from .postprocess import trust_anchors_pem
from .selectors import video_by_watermark

LINEAGE_DEPTH = 8  # ancestors shown; deeper chains are rare and the page stays short


def _shown(video: Video) -> bool:
    """Whether a stranger may see this video's picture (its thumbnail)."""
    return (video.deleted_at is None and video.status == Video.Status.COMPLETED
            and not video.held_for_review and not video.restricted)


def _thumbnail(video: Video) -> str | None:
    if not _shown(video) or not video.thumbnail_file:
        return None
    with video.thumbnail_file.open("rb") as handle:
        return "data:image/jpeg;base64," + base64.b64encode(handle.read()).decode("ascii")


def _parent(video: Video) -> tuple[str, Video] | None:
    # An extension is also a remix of its source (remix_of): named for what it is.
    extends = video.provenance.get("extends")
    if extends:
        parent = Video.objects.select_related("owner").filter(pk=extends).first()
        return ("extension source", parent) if parent else None
    if video.remix_of_id:
        parent = Video.objects.select_related("owner").filter(pk=video.remix_of_id).first()
        return ("remix source", parent) if parent else None
    return None


def _lineage(video: Video) -> list[dict[str, Any]]:
    """The video itself, then what it remixes or extends, back to the first one (each entry
    after the first is the source of the one before it)."""
    chain = [{"video_id": str(video.pk), "relation": "this video",
              "creator": f"@{video.owner.handle}", "created_at": video.created_at.isoformat(),
              "thumbnail": _thumbnail(video)}]
    current = video
    while len(chain) <= LINEAGE_DEPTH:
        step = _parent(current)
        if step is None:
            break
        relation, current = step
        chain.append({"video_id": str(current.pk), "relation": relation,
                      "creator": f"@{current.owner.handle}",
                      "created_at": current.created_at.isoformat(),
                      "thumbnail": _thumbnail(current)})
    return chain


def _repository(watermark_id: int) -> dict[str, Any] | None:
    """The manifest signed for this generation, as the repository keeps it (checked now)."""
    records = manifest_records_by_binding(value=watermark_id, limit=1)
    if not records:
        return None
    check = check_store(manifest_store_bytes(records[0]), trust_anchors_pem())
    actions = check.summary.get("actions") or [{}]
    agent = actions[0].get("softwareAgent") or {}
    return {"manifest_id": check.manifest_id, "signature_valid": check.signature_valid,
            "trusted": check.trusted, "failures": check.failures,
            "model": agent.get("name") if isinstance(agent, dict) else agent,
            "generator": check.summary.get("generator"),
            "consent": check.summary.get("consent"),
            "ingredients": check.summary.get("ingredients"),
            "soft_binding": check.summary.get("soft_binding"),
            "resolution": f"/c2pa/sbr/v1/manifests/{check.manifest_id}"}


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
                          "The file is not a video or picture we can read.") from exc
    body = asdict(report)
    payload = report.watermark_payload
    heard = report.audio_watermark_payload
    watermark: dict[str, Any] = {
        "found": report.watermark_found, "payload": None, "generation": None,
        "audio": {"found": report.audio_watermark_found,
                  "payload": f"{heard:016x}" if heard is not None else None}}
    # The picture's mark first; the soundtrack's when the picture lost it (or has none).
    marked: int | None = None
    if report.watermark_found and payload is not None:
        watermark["payload"] = f"{payload:016x}"
        marked = payload
    elif heard is not None:
        marked = heard
    if marked is not None:
        watermark["generation"] = _public_facts(marked)
        video = video_by_watermark(watermark_id=marked)
        if video is not None:
            watermark["lineage"] = _lineage(video)
        watermark["repository"] = _repository(marked)
    c2pa = {key: body[key] for key in ("validation_state", "validation_errors", "generator",
                                       "title", "actions", "ingredients", "consent",
                                       "collaborators", "soft_binding")}
    c2pa.update(present=report.c2pa_present, valid=report.c2pa_valid,
                trusted=report.c2pa_trusted)
    verdict = "castline" if watermark["generation"] or report.c2pa_trusted else "unknown"
    return {"verdict": verdict, "c2pa": c2pa, "watermark": watermark}
