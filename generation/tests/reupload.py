"""Helpers of the soft-binding tests. A re-upload as phones and websites do it: decoded,
halved, re-encoded with H.264 at CRF 32 (ffmpeg's libx264, through PyAV), with no audio and no
metadata, so no C2PA manifest."""

import io
from pathlib import Path

from generation.media import encode_frames
from generation.provenance.media import read_frames
from tests.watermark_attacks import downscale


def strip(path: Path) -> bytes:
    """The re-upload of the file at `path`."""
    frames, fps = read_frames(path.read_bytes())
    buffer = io.BytesIO()
    encode_frames(downscale(frames), fps, buffer, crf=32, preset="veryfast")
    return buffer.getvalue()
