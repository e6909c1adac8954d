import io

import numpy as np
import pytest
from PIL import Image

from generation.media.spritesheet import make_spritesheet, sprite_tile_size


def _tiles(sheet: Image.Image, columns: int, rows: int, tile: tuple[int, int]) -> list[float]:
    pixels = np.asarray(sheet.convert("L"), dtype=float)
    width, height = tile
    return [pixels[r * height:(r + 1) * height, c * width:(c + 1) * width].mean()
            for r in range(rows) for c in range(columns)]


def test_tiles_are_evenly_spaced_frames_first_to_last_in_reading_order():
    frames = np.stack([np.full((90, 160, 3), i * 2, np.uint8) for i in range(97)])
    sheet = Image.open(io.BytesIO(make_spritesheet(frames)))
    tile = sprite_tile_size(160, 90)
    assert sheet.format == "JPEG" and sheet.size == (5 * tile[0], 5 * tile[1])
    means = _tiles(sheet, 5, 5, tile)
    expected = np.linspace(0, 96, 25).round() * 2  # frame i has brightness 2i
    assert means == pytest.approx(list(expected), abs=2.5)


def test_short_clips_use_every_frame_in_a_near_square_grid():
    frames = np.stack([np.full((64, 64, 3), 40 * i, np.uint8) for i in range(5)])
    sheet = Image.open(io.BytesIO(make_spritesheet(frames)))
    tile = sprite_tile_size(64, 64)
    assert sheet.size == (3 * tile[0], 2 * tile[1])
    assert _tiles(sheet, 3, 2, tile)[:5] == pytest.approx([0, 40, 80, 120, 160], abs=2.5)


def test_no_frames_is_an_error():
    with pytest.raises(ValueError):
        make_spritesheet(np.zeros((0, 8, 8, 3), np.uint8))
