"""Sign an MP4 with a C2PA manifest (the very last post-processing step)."""

from __future__ import annotations

import base64
import io
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import c2pa

from . import invisible
from .errors import SIGNING_FAILED, ProvenanceError

if TYPE_CHECKING:
    from .credentials import SigningCredentials

GENERATOR = "Castline"
TRAINED_ALGORITHMIC_MEDIA = "http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia"
CONSENT_LABEL = "org.castline.consent"
COLLABORATORS_LABEL = "org.castline.collaborators"  # who wrote a shared storyboard
SOFT_BINDING_LABEL = "c2pa.soft-binding"
SOFT_BINDING_NAME = "Castline invisible video watermark (64-bit generation id)"
MP4 = "video/mp4"


@dataclass(frozen=True)
class ConsentReceipt:
    receipt_id: str
    sha256: str  # hash of the stored receipt; no personal data goes into the manifest


@dataclass(frozen=True)
class ManifestSpec:
    title: str
    model: str  # the generating model, recorded as the action's softwareAgent
    watermark_payload: int
    consent_receipts: list[ConsentReceipt] = field(default_factory=list)
    remix_source: bytes | None = None  # parent MP4 (with its own manifest, if it has one)
    remix_title: str = "remix source"
    generator_version: str = "1"
    # The C2PA Soft Binding Resolution API that resolves this watermark to this manifest.
    resolution_url: str | None = None
    # Handles of everyone who wrote the storyboard it was made from (its owner first).
    collaborators: list[str] = field(default_factory=list)


def soft_binding_value(payload: int) -> str:
    """The watermark payload as a soft-binding block value: base64 of its 8 big-endian bytes."""
    return base64.b64encode(payload.to_bytes(invisible.PAYLOAD_BITS // 8, "big")).decode("ascii")


def _soft_binding(spec: ManifestSpec) -> dict[str, Any]:
    binding: dict[str, Any] = {
        "alg": invisible.ALGORITHM,
        "blocks": [{"scope": {}, "value": soft_binding_value(spec.watermark_payload)}],
        "name": SOFT_BINDING_NAME,
    }
    if spec.resolution_url:
        binding["url"] = spec.resolution_url
    return binding


def _manifest_definition(spec: ManifestSpec) -> dict[str, Any]:
    return {
        "claim_generator_info": [{"name": GENERATOR, "version": spec.generator_version}],
        "title": spec.title,
        "format": MP4,
        "assertions": [
            {
                "label": "c2pa.actions.v2",
                "data": {
                    "actions": [
                        {
                            "action": "c2pa.created",
                            "digitalSourceType": TRAINED_ALGORITHMIC_MEDIA,
                            "softwareAgent": {"name": spec.model},
                        }
                    ]
                },
            },
            {
                "label": CONSENT_LABEL,
                "data": {
                    "receipts": [
                        {"id": r.receipt_id, "sha256": r.sha256} for r in spec.consent_receipts
                    ]
                },
            },
            {"label": SOFT_BINDING_LABEL, "data": _soft_binding(spec)},
            *([{"label": COLLABORATORS_LABEL,
                "data": {"collaborators": [{"handle": h} for h in spec.collaborators]}}]
              if spec.collaborators else []),
        ],
    }


def _signer(credentials: SigningCredentials) -> c2pa.Signer:
    if credentials.sign_callback is not None:
        return c2pa.Signer.from_callback(
            credentials.sign_callback, c2pa.C2paSigningAlg.ES256, credentials.chain_pem.decode()
        )
    if credentials.key_pem is None:
        raise ProvenanceError(SIGNING_FAILED, "credentials need a private key or a sign callback")
    info = c2pa.C2paSignerInfo(
        c2pa.C2paSigningAlg.ES256, credentials.chain_pem, credentials.key_pem, None
    )
    return c2pa.Signer.from_info(info)


def sign_mp4(
    source: str | Path | bytes,
    dest: str | Path,
    spec: ManifestSpec,
    credentials: SigningCredentials,
) -> bytes:
    """Write `source` to `dest` with an embedded, signed C2PA manifest; returns the manifest
    store (JUMBF, `application/c2pa`) that was embedded, for the manifest repository."""
    data = source if isinstance(source, bytes) else Path(source).read_bytes()
    # The watermark already does the soft binding; thumbnails are made by the pipeline itself.
    context = c2pa.Context.from_dict(
        {"builder": {"thumbnail": {"enabled": False}}, "verify": {"verify_after_sign": False}}
    )
    try:
        with c2pa.Builder(json.dumps(_manifest_definition(spec)), context=context) as builder:
            if spec.remix_source is not None:
                builder.add_ingredient(
                    {"title": spec.remix_title, "relationship": "parentOf"},
                    MP4,
                    io.BytesIO(spec.remix_source),
                )
            with _signer(credentials) as signer, open(dest, "w+b") as out:
                return bytes(builder.sign(signer, MP4, io.BytesIO(data), out))
    except c2pa.C2paError as exc:
        raise ProvenanceError(SIGNING_FAILED, f"C2PA signing failed: {exc}") from exc
