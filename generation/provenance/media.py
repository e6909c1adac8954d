"""Decoding any uploaded video into uint8 RGB frames (PyAV), for watermark detection."""

from __future__ import annotations

import io
from pathlib import Path
from typing import TYPE_CHECKING

import av
import numpy as np
from PIL import Image, UnidentifiedImageError

from .errors import TOO_LARGE, UNREADABLE, ProvenanceError

if TYPE_CHECKING:
    from collections.abc import Iterator

Source = str | Path | bytes
# Frames larger than 4096x4096 are refused before decoding: a few kilobytes of PNG can declare
# 20000x20000 pixels, 1.2 GB as RGB (PyAV only learns an image's size by decoding it).
MAX_FRAME_PIXELS = 4096 * 4096


def _too_large(width: int, height: int) -> ProvenanceError:
    return ProvenanceError(TOO_LARGE, f"frames of {width}x{height} pixels are too large "
                                       f"(at most {MAX_FRAME_PIXELS} pixels)")


def _check_declared_size(source: Source, stream: av.video.stream.VideoStream) -> None:
    width, height = stream.codec_context.width, stream.codec_context.height
    if not (width and height):
        # A still image: its header says its size (Pillow reads no pixels to tell).
        try:
            with Image.open(io.BytesIO(source) if isinstance(source, bytes)
                            else str(source)) as probe:
                width, height = probe.size
        except Image.DecompressionBombError as exc:
            raise _too_large(0, 0) from exc
        except (UnidentifiedImageError, OSError, ValueError):
            return
    if width * height > MAX_FRAME_PIXELS:
        raise _too_large(width, height)


def _pillow_still(source: Source) -> np.ndarray | None:
    """A still picture Pillow decodes but PyAV cannot open (TGA, ...), within the pixel
    bound, as RGB; None when Pillow cannot read it either. So every picture format Pillow
    reads safely is accepted, not only those ffmpeg happens to probe."""
    try:
        with Image.open(io.BytesIO(source) if isinstance(source, bytes)
                        else str(source)) as image:
            if image.width * image.height > MAX_FRAME_PIXELS:
                raise _too_large(image.width, image.height)
            return np.asarray(image.convert("RGB"))
    except Image.DecompressionBombError as exc:
        raise _too_large(0, 0) from exc
    except (UnidentifiedImageError, OSError, ValueError):
        return None


def _open(source: Source) -> av.container.InputContainer:
    try:
        return av.open(io.BytesIO(source) if isinstance(source, bytes) else str(source), "r")
    except (av.FFmpegError, OSError) as exc:
        raise ProvenanceError(UNREADABLE, f"not a readable media file: {exc}") from exc


def iter_frames(source: Source, *, max_frames: int | None = None) -> Iterator[np.ndarray]:
    """Decode the first video stream as uint8 RGB frames; raises `provenance.unreadable`."""
    try:
        container = _open(source)
    except ProvenanceError:
        still = _pillow_still(source)
        if still is None:
            raise
        if max_frames != 0:
            yield still
        return
    with container:
        if not container.streams.video:
            raise ProvenanceError(UNREADABLE, "the file has no video stream")
        _check_declared_size(source, container.streams.video[0])
        try:
            for index, frame in enumerate(container.decode(video=0)):
                if max_frames is not None and index >= max_frames:
                    break
                if frame.width * frame.height > MAX_FRAME_PIXELS:
                    raise _too_large(frame.width, frame.height)
                yield frame.to_ndarray(format="rgb24")
        except av.FFmpegError as exc:
            raise ProvenanceError(UNREADABLE, f"the video stream cannot be decoded: {exc}") from exc


def read_frames(source: Source, *, max_frames: int | None = None) -> tuple[np.ndarray, float]:
    """All (or the first `max_frames`) frames as [T, H, W, 3] uint8, and the frame rate."""
    fps = 24.0
    try:
        container = _open(source)
    except ProvenanceError:
        container = None  # a still picture only Pillow reads: iter_frames decodes it
    if container is not None:
        with container:
            if not container.streams.video:
                raise ProvenanceError(UNREADABLE, "the file has no video stream")
            rate = container.streams.video[0].average_rate
            fps = float(rate) if rate else fps
    frames = list(iter_frames(source, max_frames=max_frames))
    if not frames:
        raise ProvenanceError(UNREADABLE, "the video stream has no frames")
    return np.stack(frames), fps
