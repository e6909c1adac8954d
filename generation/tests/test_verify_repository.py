"""The verify report of a copy whose manifest was stripped: the watermark finds the manifest in
the repository, and the report carries what the manifest said (model, consent receipts) and
whether it is still valid and trusted."""

import io
from pathlib import Path

import numpy as np
import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command

from generation.manifests import manifest_record_store, manifest_store_bytes
from generation.media import encode_frames
from generation.models import ManifestRecord, Video
from generation.postprocess import signing_credentials, trust_anchors_pem
from generation.provenance import invisible
from generation.provenance.c2pa_sign import ConsentReceipt, ManifestSpec, sign_mp4
from generation.provenance.credentials import SigningCredentials, create_ca_and_leaf
from generation.provenance.errors import ProvenanceError
from generation.provenance.manifest_store import check_store, embedded_store
from generation.provenance.media import read_frames
from generation.verification import provenance_verify

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_video(user_factory, tmp_path) -> tuple[Video, Path]:
    owner = user_factory(handle="cleo")
    video = Video.objects.create(owner=owner, prompt="a heron", seconds=2, aspect_ratio="16:9",
                                 resolution="480p", width=256, height=144, seed=1,
                                 model_name="tiny-v1", cost=1, status=Video.Status.COMPLETED)
    frames = np.full((48, 144, 256, 3), 118, np.uint8)
    invisible.embed(frames, video.watermark_id)
    plain = io.BytesIO()
    encode_frames(frames, 24, plain)
    signed = tmp_path / "signed.mp4"
    spec = ManifestSpec(title="a heron", model="tiny-v1", watermark_payload=video.watermark_id,
                        consent_receipts=[ConsentReceipt("rcpt_41", "cd" * 32)])
    store = sign_mp4(plain.getvalue(), signed, spec, signing_credentials())
    manifest_record_store(video_id=video.pk, watermark_id=video.watermark_id, store=store)
    return video, signed


def test_a_stripped_copy_reports_the_repository_manifest(signed_video):
    video, signed = signed_video
    intact = provenance_verify(source=signed)
    assert intact["c2pa"]["present"] and intact["c2pa"]["trusted"]
    assert intact["c2pa"]["consent"]["receipts"][0]["id"] == "rcpt_41"

    stripped = io.BytesIO()
    frames, fps = read_frames(signed.read_bytes())
    encode_frames(frames, fps, stripped)
    report = provenance_verify(source=stripped.getvalue())
    assert not report["c2pa"]["present"]
    repository = report["watermark"]["repository"]
    assert repository["manifest_id"] == intact["watermark"]["repository"]["manifest_id"]
    assert repository["signature_valid"] and repository["trusted"], repository["failures"]
    assert repository["model"] == "tiny-v1"
    assert [r["id"] for r in repository["consent"]["receipts"]] == ["rcpt_41"]
    assert report["watermark"]["generation"]["creator"] == "@cleo"
    assert report["watermark"]["lineage"][0]["video_id"] == str(video.pk)
    assert report["verdict"] == "castline"


def test_a_manifest_signed_by_someone_else_is_valid_but_not_trusted(signed_video, tmp_path):
    video, _ = signed_video
    _, chain, key = create_ca_and_leaf("Elsewhere")
    plain = io.BytesIO()
    encode_frames(np.full((8, 64, 96, 3), 90, np.uint8), 24, plain)
    store = sign_mp4(plain.getvalue(), tmp_path / "other.mp4",
                     ManifestSpec("x", "m", video.watermark_id), SigningCredentials(chain, key))
    check = check_store(store, trust_anchors_pem())
    assert check.signature_valid and not check.trusted
    tampered = bytearray(store)
    tampered[len(tampered) // 2] ^= 0xFF
    try:
        broken = check_store(bytes(tampered), trust_anchors_pem())
    except ProvenanceError as exc:  # a store that no longer parses is refused outright
        assert exc.code == "provenance.unreadable"
    else:
        assert not broken.trusted


def test_backfill_takes_the_store_a_stored_file_embeds(signed_video):
    video, signed = signed_video
    kept = ManifestRecord.objects.get(video=video)
    assert embedded_store(signed.read_bytes()) == manifest_store_bytes(kept)
    kept.delete()
    video.video_file.save(f"{video.pk}.mp4", ContentFile(signed.read_bytes()))
    call_command("manifests_backfill")
    again = ManifestRecord.objects.get(video=video)
    assert again.manifest_id == kept.manifest_id and again.binding_value == video.watermark_id
    call_command("manifests_backfill")  # a rerun adds nothing
    assert ManifestRecord.objects.filter(video=video).count() == 1
