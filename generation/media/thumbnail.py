"""Poster image for feeds: one representative frame as a JPEG."""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

from PIL import Image

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

THUMBNAIL_MAX_SIDE = 512
THUMBNAIL_QUALITY = 85


def make_thumbnail(
    frames: npt.NDArray[np.uint8],
    *,
    max_side: int = THUMBNAIL_MAX_SIDE,
    quality: int = THUMBNAIL_QUALITY,
) -> bytes:
    """JPEG of the middle frame (first frames are often fades), longest side <= max_side."""
    if len(frames) == 0:
        raise ValueError("no frames to make a thumbnail from")
    image = Image.fromarray(frames[len(frames) // 2])
    image.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=quality, optimize=True)
    return buffer.getvalue()
