"""Scrubbing strip: a JPEG grid of evenly spaced frames (made next to the thumbnail)."""

from __future__ import annotations

import io
import math

import numpy as np
import numpy.typing as npt
from PIL import Image

SPRITE_TILES = 25  # a 5x5 grid
SPRITE_TILE_MAX_SIDE = 160
SPRITE_QUALITY = 80


def sprite_tile_size(width: int, height: int, max_side: int = SPRITE_TILE_MAX_SIDE
                     ) -> tuple[int, int]:
    scale = max_side / max(width, height)
    return max(1, round(width * scale)), max(1, round(height * scale))


def make_spritesheet(frames: npt.NDArray[np.uint8], *, tiles: int = SPRITE_TILES,
                     max_side: int = SPRITE_TILE_MAX_SIDE, quality: int = SPRITE_QUALITY
                     ) -> bytes:
    """Frames at evenly spaced times (the first and the last included), left to right, top to
    bottom, in a near-square grid; every tile keeps the video's aspect ratio."""
    if len(frames) == 0:
        raise ValueError("no frames to make a spritesheet from")
    count = min(tiles, len(frames))
    picks = np.linspace(0, len(frames) - 1, count).round().astype(int)
    columns = math.ceil(math.sqrt(count))
    rows = math.ceil(count / columns)
    tile_w, tile_h = sprite_tile_size(frames.shape[2], frames.shape[1], max_side)
    sheet = Image.new("RGB", (columns * tile_w, rows * tile_h))
    for index, frame_index in enumerate(picks):
        tile = Image.fromarray(frames[frame_index]).resize((tile_w, tile_h),
                                                           Image.Resampling.BILINEAR)
        sheet.paste(tile, ((index % columns) * tile_w, (index // columns) * tile_h))
    buffer = io.BytesIO()
    sheet.save(buffer, format="JPEG", quality=quality, optimize=True)
    return buffer.getvalue()
