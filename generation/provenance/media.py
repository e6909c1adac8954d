"""Decoding any uploaded video into uint8 RGB frames (PyAV), for watermark detection."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import av
import numpy as np

from .errors import UNREADABLE, ProvenanceError

Source = str | Path | bytes


def _open(source: Source) -> av.container.InputContainer:
    try:
        return av.open(io.BytesIO(source) if isinstance(source, bytes) else str(source), "r")
    except (av.FFmpegError, OSError) as exc:
        raise ProvenanceError(UNREADABLE, f"not a readable media file: {exc}") from exc


def iter_frames(source: Source, *, max_frames: int | None = None) -> Iterator[np.ndarray]:
    """Decode the first video stream as uint8 RGB frames; raises `provenance.unreadable`."""
    container = _open(source)
    with container:
        if not container.streams.video:
            raise ProvenanceError(UNREADABLE, "the file has no video stream")
        try:
            for index, frame in enumerate(container.decode(video=0)):
                if max_frames is not None and index >= max_frames:
                    break
                yield frame.to_ndarray(format="rgb24")
        except av.FFmpegError as exc:
            raise ProvenanceError(UNREADABLE, f"the video stream cannot be decoded: {exc}") from exc


def read_frames(source: Source, *, max_frames: int | None = None) -> tuple[np.ndarray, float]:
    """All (or the first `max_frames`) frames as [T, H, W, 3] uint8, and the frame rate."""
    container = _open(source)
    with container:
        if not container.streams.video:
            raise ProvenanceError(UNREADABLE, "the file has no video stream")
        rate = container.streams.video[0].average_rate
        fps = float(rate) if rate else 24.0
    frames = list(iter_frames(source, max_frames=max_frames))
    if not frames:
        raise ProvenanceError(UNREADABLE, "the video stream has no frames")
    return np.stack(frames), fps
