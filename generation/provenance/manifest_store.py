"""A detached C2PA manifest store (`application/c2pa`), as the manifest repository keeps it:
its id, and whether its signature is intact and trusted without the asset it was made for."""

from __future__ import annotations

import io
import json
import struct
from dataclasses import dataclass, field
from typing import Any

import c2pa

from .c2pa_verify import summarise_store
from .errors import UNREADABLE, ProvenanceError

STORE_MEDIA_TYPE = "application/c2pa"
# The BMFF box a C2PA manifest store travels in: uuid box, this extended type, purpose
# "manifest", an 8-byte Merkle offset, then the JUMBF store (C2PA specification, BMFF binding).
C2PA_BOX_UUID = bytes.fromhex("d8fec3d61b0e483c92975828877ec481")
# A detached store cannot match the hash of an asset it is not embedded in (nor of a
# re-encoded copy): those codes say nothing about the signature or the claim.
_HARD_BINDING_CODES = ("assertion.bmffHash.mismatch", "assertion.dataHash.mismatch",
                       "assertion.boxesHash.mismatch", "assertion.collectionHash.mismatch")


@dataclass(frozen=True)
class StoreCheck:
    manifest_id: str
    signature_valid: bool  # claim signature validated and every assertion's hashed URI matches
    trusted: bool  # signing certificate chains to one of the trust anchors
    failures: list[str] = field(default_factory=list)  # codes other than the hard binding's
    summary: dict[str, Any] = field(default_factory=dict)


def _read(store: bytes, trust_anchors_pem: str | None) -> dict[str, Any]:
    settings: dict[str, Any] = {"verify": {"verify_trust": True, "remote_manifest_fetch": False}}
    if trust_anchors_pem:
        settings["trust"] = {"user_anchors": trust_anchors_pem}
    try:
        reader = c2pa.Reader.try_create(STORE_MEDIA_TYPE, io.BytesIO(store), None,
                                        c2pa.Context.from_dict(settings))
    except c2pa.C2paError as exc:
        raise ProvenanceError(UNREADABLE, f"not a C2PA manifest store: {exc}") from exc
    if reader is None:
        raise ProvenanceError(UNREADABLE, "not a C2PA manifest store")
    with reader:
        return dict(json.loads(reader.json()))


def check_store(store: bytes, trust_anchors_pem: str | None = None) -> StoreCheck:
    """Validate a detached manifest store against `trust_anchors_pem`.

    Raises ProvenanceError(`provenance.unreadable`) for bytes that are not a manifest store.
    """
    report = _read(store, trust_anchors_pem)
    results = report.get("validation_results", {}).get("activeManifest", {})
    passed = {str(item.get("code")) for item in results.get("success", [])}
    failures = [str(item.get("code")) for item in results.get("failure", [])
                if str(item.get("code")) not in _HARD_BINDING_CODES]
    return StoreCheck(
        manifest_id=str(report.get("active_manifest", "")),
        signature_valid="claimSignature.validated" in passed
        and not any("untrusted" not in code for code in failures),
        trusted="signingCredential.trusted" in passed and not failures,
        failures=failures,
        summary=summarise_store(report),
    )


def manifest_id_of(store: bytes) -> str:
    """The active manifest's URN (`urn:c2pa:<uuid>`), the id the resolution API serves it by."""
    return check_store(store).manifest_id


def embedded_store(mp4: bytes) -> bytes | None:
    """The manifest store embedded in an MP4 (a top-level C2PA uuid box), or None."""
    pos = 0
    while pos + 8 <= len(mp4):
        size, kind = struct.unpack(">I4s", mp4[pos:pos + 8])
        header = 8
        if size == 1 and pos + 16 <= len(mp4):
            size, header = struct.unpack(">Q", mp4[pos + 8:pos + 16])[0], 16
        elif size == 0:
            size = len(mp4) - pos
        if size < header:
            return None
        start = pos + header
        if kind == b"uuid" and mp4[start:start + 16] == C2PA_BOX_UUID:
            purpose, _, rest = mp4[start + 20:pos + size].partition(b"\0")
            if purpose == b"manifest" and len(rest) > 8:
                return rest[8:]
        pos += size
    return None
