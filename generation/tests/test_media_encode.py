"""MP4 encoding (H.264 + AAC, faststart), probing and thumbnails."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from generation.backends.base import GenerationResult
from generation.media import encode_mp4, make_thumbnail, probe

SAMPLE_RATE = 16000


def _result(
    *,
    num_frames: int = 48,
    fps: float = 24.0,
    width: int = 90,
    height: int = 160,
    audio: bool = True,
) -> GenerationResult:
    rng = np.random.default_rng(0)
    frames = rng.integers(0, 256, (num_frames, height, width, 3), dtype=np.uint8)
    samples = round(num_frames / fps * SAMPLE_RATE)
    waveform = (0.3 * np.sin(np.arange(samples) / 20.0)).astype(np.float32)[None].repeat(2, 0)
    return GenerationResult(
        frames=frames, audio=waveform if audio else None, fps=fps, sample_rate=SAMPLE_RATE
    )


def test_encoded_file_is_h264_aac_with_right_size_rate_and_duration(tmp_path: Path) -> None:
    path = encode_mp4(_result(), tmp_path / "clip.mp4")

    info = probe(path)
    assert (info.video_codec, info.pix_fmt, info.audio_codec) == ("h264", "yuv420p", "aac")
    assert (info.width, info.height) == (90, 160)  # 9:16 kept
    assert info.fps == pytest.approx(24.0)
    assert info.num_frames == 48
    assert info.duration == pytest.approx(2.0, abs=1e-3)
    assert info.has_audio and info.audio_duration is not None
    assert abs(info.audio_duration - info.duration) <= 1 / 24


def test_index_is_at_the_front_for_progressive_playback(tmp_path: Path) -> None:
    data = encode_mp4(_result(), tmp_path / "clip.mp4").read_bytes()

    assert 0 <= data.find(b"moov") < data.find(b"mdat")


def test_ntsc_frame_rate_is_stored_exactly(tmp_path: Path) -> None:
    info = probe(encode_mp4(_result(num_frames=30, fps=30000 / 1001), tmp_path / "ntsc.mp4"))

    assert info.fps == pytest.approx(30000 / 1001, abs=1e-6)
    assert info.num_frames == 30


def test_video_without_audio_has_no_audio_track(tmp_path: Path) -> None:
    info = probe(encode_mp4(_result(audio=False), tmp_path / "silent.mp4"))

    assert not info.has_audio and info.audio_duration is None


def test_odd_dimensions_are_rejected(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="even"):
        encode_mp4(_result(width=91), tmp_path / "odd.mp4")


def test_thumbnail_is_a_small_jpeg_with_the_video_aspect() -> None:
    frames = np.zeros((5, 854, 480, 3), dtype=np.uint8)

    data = make_thumbnail(frames)

    image = Image.open(io.BytesIO(data))
    assert image.format == "JPEG"
    assert max(image.size) == 512
    assert image.size[0] / image.size[1] == pytest.approx(480 / 854, abs=0.01)
