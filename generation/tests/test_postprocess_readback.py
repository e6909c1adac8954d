"""Every stored file's watermark reads back from the file itself, as any verifier reads it."""

from pathlib import Path

import pytest

from core.errors import DomainError
from generation import postprocess
from generation.backends.base import GenerationResult
from generation.media import probe
from generation.provenance.c2pa_verify import read_watermark
from tests.watermark_attacks import tiny_model_output

PAYLOAD = 0x5EED_CAFE_F00D_0001


def tiny_output(seed: int) -> GenerationResult:
    return tiny_model_output(480, 854, prompt="a lighthouse in fog", seed=seed, frames=48,
                             steps=4)


# Seed 3 is one whose first-strength mark reads from the frames but not from the encoded file.
@pytest.mark.parametrize("seed", [3, 11, 29])
def test_marked_file_reads_back_its_payload(tmp_path: Path, seed: int) -> None:
    result = tiny_output(seed)
    out = tmp_path / "plain.mp4"
    postprocess.mark_and_encode(result, handle="ana", watermark_id=PAYLOAD, out=out)
    assert probe(out).video_codec == "h264"
    detection = read_watermark(out.read_bytes())
    assert detection.found and detection.payload == PAYLOAD


def test_unreadable_mark_is_retried_stronger_from_the_unmarked_frames(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # A first strength of zero never reads back, so the second attempt must carry the mark,
    # embedded once on the unmarked frames (not stacked on the failed attempt).
    monkeypatch.setattr(postprocess, "WATERMARK_STRENGTHS", (0.0, 2.4))
    result = tiny_output(3)
    out = tmp_path / "plain.mp4"
    attempts = postprocess.mark_and_encode(result, handle="ana", watermark_id=PAYLOAD, out=out)
    assert attempts == 2
    assert read_watermark(out.read_bytes()).payload == PAYLOAD


def test_a_mark_that_never_reads_back_fails_the_job_with_a_code(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(postprocess, "WATERMARK_STRENGTHS", (0.0,))
    result = tiny_output(3)
    with pytest.raises(DomainError) as raised:
        postprocess.mark_and_encode(result, handle="ana", watermark_id=PAYLOAD,
                                    out=tmp_path / "plain.mp4")
    assert raised.value.code == "generation.watermark_unreadable"
