"""C2PA Soft Binding Resolution: from a watermark (or a file carrying one) to the manifests
in the repository. The HTTP shape lives in `api/sbr_views.py`; the rules live here."""

import base64
import binascii
import re
from dataclasses import dataclass

from core.errors import DomainError, NotFoundError
from generation.provenance import audio_mark, invisible
from generation.provenance.c2pa_verify import read_watermark
from generation.provenance.errors import TOO_LARGE, ProvenanceError
from generation.provenance.media import MAX_FRAME_PIXELS

from .manifests import manifest_ids_by_binding, manifest_record_get, manifest_store_bytes

ALGORITHM = invisible.ALGORITHM
# Every version whose marks we read: an old copy's manifest names the version it was marked with.
ALGORITHMS = invisible.READABLE_ALGORITHMS
MAX_RESULTS = 100
# urn:c2pa:<uuid>[:<claim generator>[:<version_reason>]] (C2PA 2.x), or 1.x's urn:uuid:<uuid>.
_MANIFEST_ID = re.compile(
    r"^urn:(c2pa|uuid):[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-"
    r"[0-9a-fA-F]{12}(:[A-Za-z0-9._-]{0,64}){0,2}$")
# A mark read with its keyed check passing is an exact match; one heard only in the
# soundtrack is the same id, from a weaker witness.
PICTURE_SCORE = 100
SOUNDTRACK_SCORE = 90

UNSUPPORTED_ALGORITHM = "sbr.unsupported_algorithm"
INVALID_BINDING_VALUE = "sbr.invalid_binding_value"
INVALID_MANIFEST_ID = "sbr.invalid_manifest_id"
MANIFEST_NOT_FOUND = "sbr.manifest_not_found"
UNREADABLE = "provenance.unreadable"


@dataclass(frozen=True)
class Match:
    manifest_id: str
    similarity_score: int


def check_algorithm(alg: str) -> None:
    if alg not in ALGORITHMS:
        raise DomainError(UNSUPPORTED_ALGORITHM,
                          f"This service resolves only {', '.join(ALGORITHMS)}.",
                          fields={"alg": [f"Unsupported algorithm: {alg[:80]}"]})


def binding_payload(value: str) -> int:
    """The watermark payload from a soft-binding value: base64 of its 8 big-endian bytes."""
    try:
        raw = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise DomainError(INVALID_BINDING_VALUE, "The value is not base64.",
                          fields={"value": ["Not base64."]}) from exc
    if len(raw) != invisible.PAYLOAD_BITS // 8:
        raise DomainError(INVALID_BINDING_VALUE,
                          f"A {ALGORITHM} value is {invisible.PAYLOAD_BITS // 8} bytes.",
                          fields={"value": [f"{len(raw)} bytes decoded."]})
    return int.from_bytes(raw, "big")


def matches_by_binding(*, alg: str, value: str, limit: int, score: int = PICTURE_SCORE
                       ) -> list[Match]:
    check_algorithm(alg)
    payload = binding_payload(value)
    # The versions share one payload space (the generation's watermark id): a value names the
    # same generation whichever version's name the query uses.
    return [Match(manifest_id, score)
            for manifest_id in manifest_ids_by_binding(algs=ALGORITHMS, value=payload,
                                                       limit=limit)]


def content_payload(data: bytes) -> tuple[int, int] | None:
    """The watermark payload a file carries and how sure we are of it: the picture's mark,
    else the soundtrack's; None when it carries neither."""
    try:
        picture = read_watermark(data)
        if picture.found and picture.payload is not None:
            return picture.payload, PICTURE_SCORE
        mono = audio_mark.decode_mono(data)
    except ProvenanceError as exc:
        if exc.code == TOO_LARGE:
            raise DomainError("upload.too_large", "The picture is too large (at most "
                              f"{MAX_FRAME_PIXELS} pixels).", status_code=413) from exc
        raise DomainError(UNREADABLE, "The file is not a video or picture we can read.") from exc
    heard = audio_mark.detect(mono) if mono is not None else None
    if heard is not None and heard.found and heard.payload is not None:
        return heard.payload, SOUNDTRACK_SCORE
    return None


def matches_by_content(*, data: bytes, alg: str | None, limit: int) -> list[Match]:
    if alg:
        check_algorithm(alg)
    found = content_payload(data)
    if found is None:
        return []
    payload, score = found
    return [Match(manifest_id, score)
            for manifest_id in manifest_ids_by_binding(algs=ALGORITHMS, value=payload,
                                                       limit=limit)]


def manifest_store_get(*, manifest_id: str) -> bytes:
    if not _MANIFEST_ID.match(manifest_id):
        raise DomainError(INVALID_MANIFEST_ID,
                          "A manifest id is a C2PA URN such as urn:c2pa:<uuid>.")
    record = manifest_record_get(manifest_id=manifest_id)
    if record is None:
        raise NotFoundError(MANIFEST_NOT_FOUND, "No manifest with this id.")
    return manifest_store_bytes(record)
