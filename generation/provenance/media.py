"""Video encode/decode helpers (PyAV): H.264 + AAC in MP4, frames as uint8 RGB arrays."""

from __future__ import annotations

import io
from collections.abc import Iterator
from fractions import Fraction
from pathlib import Path

import av
import numpy as np

from .errors import UNREADABLE, ProvenanceError

Source = str | Path | bytes


def encode_mp4(
    frames: np.ndarray,
    fps: float,
    dest: str | Path | io.BytesIO,
    *,
    crf: int = 23,
    preset: str = "veryfast",
    audio: np.ndarray | None = None,
    sample_rate: int = 48000,
) -> None:
    """Encode uint8 RGB frames [T, H, W, 3] (and float audio [channels, samples]) as MP4."""
    height, width = frames.shape[1:3]
    with av.open(dest, mode="w", format="mp4") as container:
        video = container.add_stream("libx264", rate=Fraction(fps).limit_denominator(1001))
        video.width, video.height = width - width % 2, height - height % 2
        video.pix_fmt = "yuv420p"
        video.options = {"crf": str(crf), "preset": preset}
        audio_stream = None
        if audio is not None:
            audio_stream = container.add_stream("aac", rate=sample_rate)
            audio_stream.layout = "stereo" if audio.shape[0] == 2 else "mono"
        for frame in frames:
            picture = av.VideoFrame.from_ndarray(
                np.ascontiguousarray(frame[: video.height, : video.width]), format="rgb24"
            )
            container.mux(video.encode(picture))
        container.mux(video.encode())
        if audio_stream is not None and audio is not None:
            _encode_audio(container, audio_stream, audio, sample_rate)


def _encode_audio(
    container: av.container.OutputContainer,
    stream: av.audio.stream.AudioStream,
    audio: np.ndarray,
    sample_rate: int,
) -> None:
    chunk = 1024
    samples = np.ascontiguousarray(audio, dtype=np.float32)
    for start in range(0, samples.shape[1], chunk):
        piece = np.ascontiguousarray(samples[:, start : start + chunk])
        frame = av.AudioFrame.from_ndarray(piece, format="fltp", layout=stream.layout)
        frame.sample_rate = sample_rate
        frame.pts = start
        container.mux(stream.encode(frame))
    container.mux(stream.encode())


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
