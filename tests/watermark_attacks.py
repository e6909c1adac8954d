"""What people do to videos they find: the attacks the invisible watermark must survive
(shared by the watermark tests and bench/watermark.py)."""

import io

import cv2
import numpy as np

from generation.media import encode_frames
from generation.provenance.media import read_frames


def reencode(frames: np.ndarray, fps: float = 24, crf: int = 28, preset: str = "veryfast"
             ) -> np.ndarray:
    buffer = io.BytesIO()
    encode_frames(frames, fps, buffer, crf=crf, preset=preset)
    return read_frames(buffer.getvalue())[0]


def downscale(frames: np.ndarray) -> np.ndarray:
    h, w = frames.shape[1] // 2, frames.shape[2] // 2
    return np.stack([cv2.resize(f, (w, h), interpolation=cv2.INTER_AREA) for f in frames])


def crop10(frames: np.ndarray) -> np.ndarray:
    """Keep the central 90% x 90% at its smaller size."""
    h, w = frames.shape[1:3]
    return np.ascontiguousarray(frames[:, h // 20 : h - h // 20, w // 20 : w - w // 20])


def brightness_contrast(frames: np.ndarray) -> np.ndarray:
    return np.clip(frames.astype(np.float32) * 1.15 + 12, 0, 255).astype(np.uint8)
