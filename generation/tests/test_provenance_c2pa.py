"""C2PA signing and verification on real MP4 files written to a temporary folder."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest

from generation.media import encode_frames
from generation.provenance.c2pa_sign import ConsentReceipt, ManifestSpec, sign_mp4
from generation.provenance.c2pa_verify import verify_file
from generation.provenance.credentials import (
    SigningCredentials,
    create_ca_and_leaf,
    ensure_dev_credentials,
)
from generation.provenance.errors import ProvenanceError

RECEIPT = ConsentReceipt("receipt-1", "ab" * 32)


def _mp4(seed: int = 0) -> bytes:
    frames = np.random.default_rng(seed).integers(0, 255, (8, 64, 96, 3), dtype=np.uint8)
    out = io.BytesIO()
    encode_frames(frames, 24, out)
    return out.getvalue()


@pytest.fixture(scope="module")
def dev(tmp_path_factory: pytest.TempPathFactory):
    return ensure_dev_credentials(tmp_path_factory.mktemp("data"))


@pytest.fixture(scope="module")
def signed(dev, tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("signed")
    parent = folder / "parent.mp4"
    sign_mp4(_mp4(1), parent, ManifestSpec("parent", "tiny", 7), dev.credentials())
    spec = ManifestSpec("my video", "ltx2-tiny", 42, [RECEIPT], remix_source=parent.read_bytes())
    dest = folder / "out.mp4"
    sign_mp4(_mp4(), dest, spec, dev.credentials())
    return dest


def test_dev_credentials_are_created_once_with_private_key(tmp_path: Path) -> None:
    first = ensure_dev_credentials(tmp_path)
    key = first.key.read_bytes()
    assert ensure_dev_credentials(tmp_path).key.read_bytes() == key
    assert first.key.stat().st_mode & 0o077 == 0
    assert first.key.parent == tmp_path / "keys"


def test_signed_file_is_valid_and_trusted_with_summary(signed: Path, dev) -> None:
    report = verify_file(signed, dev.ca_cert.read_text())
    assert report.c2pa_present and report.c2pa_valid and report.c2pa_trusted
    assert report.generator == "Castline"
    assert report.title == "my video"
    created = report.actions[0]
    assert created["action"] == "c2pa.created"
    assert created["digitalSourceType"].endswith("/trainedAlgorithmicMedia")
    assert created["softwareAgent"]["name"] == "ltx2-tiny"
    assert report.consent == {"receipts": [{"id": "receipt-1", "sha256": "ab" * 32}]}
    assert report.soft_binding is not None and report.soft_binding["payload"] == 42
    assert report.ingredients == [
        {"title": "remix source", "relationship": "parentOf", "has_manifest": True}
    ]


def test_changed_media_byte_invalidates_manifest(signed: Path, dev) -> None:
    data = bytearray(signed.read_bytes())
    mdat = data.find(b"mdat")
    data[mdat + 64] ^= 0xFF
    report = verify_file(bytes(data), dev.ca_cert.read_text())
    assert report.c2pa_present
    assert not report.c2pa_valid
    assert not report.c2pa_trusted


def test_foreign_ca_is_valid_but_not_trusted(tmp_path: Path, dev) -> None:
    _, chain, key = create_ca_and_leaf("Someone Else")
    dest = tmp_path / "foreign.mp4"
    sign_mp4(_mp4(), dest, ManifestSpec("x", "m", 1), SigningCredentials(chain, key))
    report = verify_file(dest, dev.ca_cert.read_text())
    assert report.c2pa_valid
    assert not report.c2pa_trusted


def test_unsigned_file_reports_no_manifest() -> None:
    report = verify_file(_mp4())
    assert not report.c2pa_present and not report.c2pa_valid


def test_callback_signer(tmp_path: Path, dev) -> None:
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec, utils

    key = serialization.load_pem_private_key(dev.key.read_bytes(), None)
    assert isinstance(key, ec.EllipticCurvePrivateKey)

    def kms_sign(data: bytes) -> bytes:
        # c2pa wants raw r||s, as a KMS returns after conversion.
        r, s = utils.decode_dss_signature(key.sign(data, ec.ECDSA(hashes.SHA256())))
        return r.to_bytes(32, "big") + s.to_bytes(32, "big")

    creds = SigningCredentials(dev.chain.read_bytes(), sign_callback=kms_sign)
    dest = tmp_path / "kms.mp4"
    sign_mp4(_mp4(), dest, ManifestSpec("kms", "m", 3), creds)
    report = verify_file(dest, dev.ca_cert.read_text())
    assert report.c2pa_valid and report.c2pa_trusted


@pytest.mark.parametrize(
    "payload", [b"", b"not a video at all", b"\x00\x00\x00\x18ftypmp42" + b"\0" * 50]
)
def test_unreadable_input_has_stable_code(payload: bytes) -> None:
    with pytest.raises(ProvenanceError) as info:
        verify_file(payload)
    assert info.value.code == "provenance.unreadable"
