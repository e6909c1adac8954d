"""The soundtrack carries the payload too: through AAC, a lower bitrate and a cut clip."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from generation.backends.base import GenerationResult
from generation.media import encode_mp4
from generation.provenance import audio_mark
from tests.faces import faces_dir
from tests.watermark_attacks import aac_again

PAYLOAD = 0x0A0D_10F0_CA57_11E5
RATE = 16000


def hosts(seconds: float) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(7)
    t = np.arange(int(seconds * RATE)) / RATE
    chords = (0.2 * np.sin(2 * np.pi * 220 * t) + 0.1 * np.sin(2 * np.pi * 330 * t)
              + 0.05 * np.sin(2 * np.pi * 1760 * t))
    syllables = 0.2 * rng.standard_normal(len(t)) * (0.5 + 0.5 * np.sin(2 * np.pi * 3 * t)) ** 4
    return {"music": chords, "speech": syllables, "noise": 0.3 * rng.standard_normal(len(t))}


def stereo(mono: np.ndarray) -> np.ndarray:
    return np.stack([mono, mono]).astype(np.float32)


def through_mp4(audio: np.ndarray, sample_rate: int, tmp_path: Path) -> np.ndarray:
    """Our own encoder (AAC 128 kbit/s, 48 kHz) and back, as mono at the detector's rate."""
    seconds = audio.shape[1] / sample_rate
    frames = np.zeros((round(seconds * 24), 64, 64, 3), np.uint8)
    out = tmp_path / "marked.mp4"
    encode_mp4(GenerationResult(frames=frames, audio=audio, fps=24, sample_rate=sample_rate),
               out)
    mono = audio_mark.decode_mono(out)
    assert mono is not None
    return mono


@pytest.mark.parametrize("kind", ["music", "speech", "noise"])
def test_payload_survives_our_encode_and_a_64k_reencode(tmp_path, kind) -> None:
    audio = stereo(hosts(4.0)[kind])
    assert audio_mark.embed(audio, RATE, PAYLOAD)
    mono = through_mp4(audio, RATE, tmp_path)
    assert audio_mark.detect(mono).payload == PAYLOAD
    assert audio_mark.detect(aac_again(mono)).payload == PAYLOAD


def test_a_clip_cut_anywhere_still_reads(tmp_path) -> None:
    audio = stereo(hosts(9.0)["speech"])
    audio_mark.embed(audio, RATE, PAYLOAD)
    mono = through_mp4(audio, RATE, tmp_path)
    cut = mono[int(1.37 * audio_mark.RATE):]
    found = audio_mark.detect(cut)
    assert found.found and found.payload == PAYLOAD


def test_mark_is_quiet_and_short_tracks_are_left_alone() -> None:
    for host in hosts(4.0).values():
        audio = stereo(host)
        original = audio.copy()
        audio_mark.embed(audio, RATE, PAYLOAD)
        noise = np.mean((audio - original) ** 2)
        assert 10 * np.log10(np.mean(original ** 2) / noise) >= 19  # about 20 dB under
    short = stereo(hosts(3.0)["music"])
    before = short.copy()
    assert not audio_mark.embed(short, RATE, PAYLOAD)
    assert np.array_equal(short, before)


def test_unmarked_audio_reads_nothing(tmp_path) -> None:
    for host in hosts(9.0).values():
        found = audio_mark.detect(through_mp4(stereo(host), RATE, tmp_path))
        assert not found.found and found.payload is None


def test_real_performance_audio_carries_the_mark(tmp_path) -> None:
    clip = faces_dir() / "performer_clip.mp4"
    if not clip.exists():
        pytest.skip(f"shared fixture missing: {clip}")
    mono = audio_mark.decode_mono(clip)
    assert mono is not None and len(mono) > audio_mark.FRAME
    audio = stereo(mono)
    assert audio_mark.embed(audio, audio_mark.RATE, PAYLOAD)
    marked = through_mp4(audio, audio_mark.RATE, tmp_path)
    assert audio_mark.detect(marked).payload == PAYLOAD
    assert audio_mark.detect(aac_again(marked)).payload == PAYLOAD
    assert not audio_mark.detect(mono).found
