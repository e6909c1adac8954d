"""Verify any uploaded file: the C2PA manifest and the invisible video and audio watermarks."""

from __future__ import annotations

import base64
import io
import json
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import c2pa
from PIL import Image, UnidentifiedImageError

from . import audio_mark, invisible
from .c2pa_sign import COLLABORATORS_LABEL, CONSENT_LABEL, SOFT_BINDING_LABEL
from .errors import UNREADABLE, ProvenanceError
from .media import Source, iter_frames

_WATERMARK_FRAMES = 240  # ~10 s at 24 fps is plenty of votes
MP4_GUESS = "video/mp4"  # a hint only: c2pa detects the container from the bytes


@dataclass(frozen=True)
class VerificationReport:
    c2pa_present: bool
    c2pa_valid: bool
    c2pa_trusted: bool
    validation_state: str | None
    validation_errors: list[str] = field(default_factory=list)
    generator: str | None = None
    title: str | None = None
    actions: list[dict[str, Any]] = field(default_factory=list)
    ingredients: list[dict[str, Any]] = field(default_factory=list)
    consent: dict[str, Any] | None = None
    collaborators: list[str] = field(default_factory=list)  # a shared storyboard's writers
    soft_binding: dict[str, Any] | None = None
    watermark_found: bool = False
    watermark_payload: int | None = None
    audio_watermark_found: bool = False
    audio_watermark_payload: int | None = None


def _picture_without_manifests(data: bytes) -> bool:
    """A picture in a format C2PA defines no manifest for (BMP, TGA, ICO, ...): it carries
    none to read, which is not the same as being unreadable (its pixels were decoded)."""
    try:
        with Image.open(io.BytesIO(data)) as image:
            mime = image.get_format_mimetype()
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
        return False
    return mime not in c2pa.Reader.get_supported_mime_types()


def _read_manifest(data: bytes, trust_anchors_pem: str | None) -> dict[str, Any] | None:
    if _picture_without_manifests(data):
        return None
    settings: dict[str, Any] = {"verify": {"verify_trust": True, "remote_manifest_fetch": False}}
    if trust_anchors_pem:
        settings["trust"] = {"user_anchors": trust_anchors_pem}
    context = c2pa.Context.from_dict(settings)
    try:
        reader = c2pa.Reader.try_create(MP4_GUESS, io.BytesIO(data), None, context)
    except c2pa.C2paError as exc:
        raise ProvenanceError(UNREADABLE, f"not a readable media file: {exc}") from exc
    if reader is None:
        return None
    with reader:
        return dict(json.loads(reader.json()))


def _assertion(manifest: dict[str, Any], label: str) -> dict[str, Any] | None:
    for item in manifest.get("assertions", []):
        if item.get("label", "").split(".v")[0] == label.split(".v")[0]:
            return dict(item.get("data", {}))
    return None


def summarise_store(store: dict[str, Any]) -> dict[str, Any]:
    manifest = store.get("manifests", {}).get(store.get("active_manifest", ""), {})
    info = manifest.get("claim_generator_info") or [{}]
    actions = _assertion(manifest, "c2pa.actions") or {}
    binding = _assertion(manifest, SOFT_BINDING_LABEL)
    if binding is not None:
        blocks = binding.get("blocks") or [{}]
        raw = base64.b64decode(blocks[0].get("value", ""))
        binding = {"alg": binding.get("alg"), "payload": int.from_bytes(raw, "big"),
                   "url": binding.get("url")}
    return {
        "generator": info[0].get("name"),
        "title": manifest.get("title"),
        "actions": list(actions.get("actions", [])),
        "ingredients": [
            {
                "title": i.get("title"),
                "relationship": i.get("relationship"),
                "has_manifest": bool(i.get("active_manifest") or i.get("manifest_data")),
            }
            for i in manifest.get("ingredients", [])
        ],
        "consent": _assertion(manifest, CONSENT_LABEL),
        "collaborators": [str(c.get("handle")) for c in
                          (_assertion(manifest, COLLABORATORS_LABEL) or {}).get(
                              "collaborators", [])],
        "soft_binding": binding,
    }


def read_watermark(data: Source) -> invisible.Detection:
    """The invisible watermark as any verifier reads it: votes across the decoded frames.

    Raises ProvenanceError(`provenance.unreadable`) when the stream has no frames.
    """
    detector = invisible.Accumulator()
    for frame in iter_frames(data, max_frames=_WATERMARK_FRAMES):
        detector.add(frame)
    if detector.count == 0:
        raise ProvenanceError(UNREADABLE, "the video stream has no frames")
    return detector.result()


def verify_file(
    source: str | Path | bytes, trust_anchors_pem: str | None = None
) -> VerificationReport:
    """Check the C2PA manifest (valid, trusted against `trust_anchors_pem`) and the watermark.

    Raises ProvenanceError(`provenance.unreadable`) for input that is not a decodable video.
    """
    data = source if isinstance(source, bytes) else Path(source).read_bytes()
    watermark = read_watermark(data)
    mono = audio_mark.decode_mono(data)
    heard = audio_mark.detect(mono) if mono is not None else None
    marks = VerificationReport(
        c2pa_present=False, c2pa_valid=False, c2pa_trusted=False, validation_state=None,
        watermark_found=watermark.found, watermark_payload=watermark.payload,
        audio_watermark_found=bool(heard and heard.found),
        audio_watermark_payload=heard.payload if heard else None)
    store = _read_manifest(data, trust_anchors_pem)
    if store is None:
        return marks
    state = store.get("validation_state")
    failures = store.get("validation_results", {}).get("activeManifest", {}).get("failure", [])
    codes = [str(f.get("code")) for f in failures]
    untrusted = any("untrusted" in code for code in codes)
    integrity_errors = [code for code in codes if "untrusted" not in code]
    return replace(
        marks,
        c2pa_present=True,
        c2pa_valid=not integrity_errors,
        c2pa_trusted=state == "Trusted" and not untrusted,
        validation_state=state,
        validation_errors=codes,
        **summarise_store(store),
    )
