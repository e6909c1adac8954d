"""Visible watermark: "Castline" and the creator's @handle, hopping between edge positions."""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from PIL import Image, ImageDraw, ImageFont

PRODUCT = "Castline"
HOP_SECONDS = 3.0
# (x, y) anchors as fractions of the free space: corners and edge midpoints, never the centre.
POSITIONS = ((0.0, 0.0), (1.0, 1.0), (1.0, 0.0), (0.0, 1.0), (0.0, 0.5), (1.0, 0.5))


@lru_cache(maxsize=16)
def render_mark(handle: str, frame_height: int) -> np.ndarray:
    """The mark as RGBA uint8, sized from the frame height so it is crisp at any resolution."""
    size = max(10, round(frame_height * 0.045))
    font = ImageFont.load_default(size=size)
    lines = [PRODUCT, f"@{handle.lstrip('@')}"]
    pad = max(2, size // 4)
    probe = ImageDraw.Draw(Image.new("RGBA", (1, 1)))
    boxes = [
        probe.textbbox((0, 0), line, font=font, stroke_width=max(1, size // 12)) for line in lines
    ]
    width = int(max(b[2] - b[0] for b in boxes)) + 2 * pad
    line_h = int(max(b[3] - b[1] for b in boxes))
    image = Image.new("RGBA", (width, line_h * 2 + 3 * pad), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    for i, line in enumerate(lines):
        draw.text(
            (pad, pad + i * (line_h + pad)),
            line,
            font=font,
            fill=(255, 255, 255, 210),
            stroke_width=max(1, size // 12),
            stroke_fill=(0, 0, 0, 150),
        )
    return np.asarray(image)


def mark_position(
    index: int, frame_shape: tuple[int, int], mark_shape: tuple[int, int]
) -> tuple[int, int]:
    """Top-left (y, x) of the mark for position `index`, inset from the frame edge."""
    (height, width), (mh, mw) = frame_shape, mark_shape
    margin = round(min(height, width) * 0.03)
    fx, fy = POSITIONS[index % len(POSITIONS)]
    x = margin + round(fx * max(0, width - mw - 2 * margin))
    y = margin + round(fy * max(0, height - mh - 2 * margin))
    return y, x


def apply(
    frames: np.ndarray, handle: str, fps: float, *, hop_seconds: float = HOP_SECONDS,
    first_frame: int = 0,
) -> np.ndarray:
    """Blend the moving mark into uint8 RGB frames [T, H, W, 3] in place; returns them.

    `first_frame`: where these frames sit in the video (a long job marks segment by segment;
    the mark hops on the whole video's clock)."""
    height, width = frames.shape[1:3]
    mark = render_mark(handle, height)
    mh, mw = min(mark.shape[0], height), min(mark.shape[1], width)
    alpha = mark[:mh, :mw, 3:4].astype(np.uint16)
    color = mark[:mh, :mw, :3].astype(np.uint16) * alpha
    hop = max(1, round(fps * hop_seconds))
    for start in range(-(first_frame % hop), len(frames), hop):
        y, x = mark_position((first_frame + start) // hop, (height, width), (mh, mw))
        # Only the mark's box is touched: premultiplied blend of all frames at this position.
        box = frames[max(0, start) : start + hop, y : y + mh, x : x + mw]
        blended = (box.astype(np.uint16) * (255 - alpha) + color + 127) // 255
        box[...] = blended.astype(np.uint8)
    return frames
