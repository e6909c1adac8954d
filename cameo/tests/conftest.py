"""Fixtures for the Cameo verification tests (videos are built in a temporary folder)."""

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from cameo_media import PERFORMER_SPAN, clip_audio, clip_frames, fixture_path, write_video
from PIL import Image


@pytest.fixture(scope="session")
def media_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("cameo-media")


@pytest.fixture(scope="session")
def performer_video(media_dir: Path) -> Path:
    clip = fixture_path("performer_clip.mp4")
    start, end = PERFORMER_SPAN
    return write_video(
        media_dir / "performer.mp4", clip_frames(clip, start, end), 30, clip_audio(clip, start, end)
    )


@pytest.fixture(scope="session")
def photo_encoding() -> Callable[[str], np.ndarray]:
    from cameo.verification import encode_image

    def encode(name: str) -> np.ndarray:
        rgb = np.asarray(Image.open(fixture_path(name)).convert("RGB"))
        (encoding,) = encode_image(rgb)
        return encoding

    return encode
