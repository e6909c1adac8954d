"""Uploads that are not acceptable videos, checked without the face fixtures."""

from pathlib import Path

import numpy as np
from cameo_media import speech_like, write_video

from cameo.verification import Reason, VerificationConfig, verify_enrollment


def _reject(path: Path) -> list[str]:
    result = verify_enrollment(path, moves=["left", "right"], phrase="apple river orange window")
    assert result.status == "rejected"
    return result.reasons


def test_unreadable_bytes(tmp_path: Path) -> None:
    garbage = tmp_path / "upload.mp4"
    garbage.write_bytes(np.random.default_rng(1).bytes(50_000))
    assert _reject(garbage) == [Reason.VIDEO_UNREADABLE]
    empty = tmp_path / "empty.mp4"
    empty.write_bytes(b"")
    assert _reject(empty) == [Reason.VIDEO_UNREADABLE]
    assert _reject(tmp_path / "missing.mp4") == [Reason.VIDEO_UNREADABLE]


def test_image_instead_of_video(tmp_path: Path) -> None:
    from PIL import Image

    png = tmp_path / "photo.mp4"
    Image.new("RGB", (64, 64), "white").save(png, format="PNG")
    assert _reject(png) in ([Reason.VIDEO_UNREADABLE], [Reason.TOO_SHORT])


def test_too_long_video(tmp_path: Path) -> None:
    frames = (np.full((64, 64, 3), i % 255, dtype=np.uint8) for i in range(2 * 21))
    video = write_video(tmp_path / "long.mp4", frames, 2, speech_like(21.0), size=(64, 64))
    assert _reject(video) == [Reason.TOO_LONG]


def test_no_face_at_all(tmp_path: Path) -> None:
    rng = np.random.default_rng(2)
    frames = (rng.integers(0, 255, (360, 640, 3), dtype=np.uint8) for _ in range(4 * 10))
    video = write_video(tmp_path / "noise.mp4", frames, 10, speech_like(4.0))
    assert _reject(video) == [Reason.NO_FACE]


def test_frame_count_is_bounded(tmp_path: Path) -> None:
    # 800 frames in 4 s: more than the 120 fps bound lets through for a 5 s limit.
    frames = (np.full((64, 64, 3), i % 255, dtype=np.uint8) for i in range(800))
    video = write_video(tmp_path / "burst.mp4", frames, 200, speech_like(4.0), size=(64, 64))
    result = verify_enrollment(
        video, moves=["left"], phrase="apple", config=VerificationConfig(max_seconds=5.0)
    )
    assert result.reasons == [Reason.VIDEO_UNREADABLE]
