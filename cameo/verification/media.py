"""Bounded, safe decoding of an uploaded enrollment video with PyAV."""

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

import av
import numpy as np

from .config import VerificationConfig

AUDIO_RATE = 16_000
# Frames decoded per second of allowed duration, at most: bounds work on broken timestamps.
MAX_FPS = 120
# ISO BMFF (MP4, MOV, 3GP) has "ftyp" at offset 4; Matroska/WebM starts with the EBML id.
_CONTAINERS = ((4, b"ftyp"), (0, b"\x1a\x45\xdf\xa3"))


class MediaError(Exception):
    """The upload is not a decodable video (or breaks a safety bound while decoding)."""


@dataclass(frozen=True)
class SampledFrame:
    time: float
    rgb: np.ndarray  # H x W x 3, uint8, downscaled to the analysis width


@dataclass(frozen=True)
class VideoSample:
    duration: float
    width: int
    height: int
    frames: list[SampledFrame]
    has_audio: bool


def _duration(container: av.container.InputContainer) -> float | None:
    if container.duration is not None:
        return container.duration / av.time_base
    stream = container.streams.video[0]
    if stream.duration is not None and stream.time_base is not None:
        return float(stream.duration * stream.time_base)
    return None


def open_checked(path: str | os.PathLike[str], config: VerificationConfig) -> float:
    """Check size, streams and declared duration before any decoding; return the duration."""
    try:
        size = os.path.getsize(path)
    except OSError as exc:
        raise MediaError(f"cannot read upload: {exc}") from exc
    if size == 0 or size > config.max_bytes:
        raise MediaError(f"upload size {size} out of bounds")
    try:
        with av.open(os.fspath(path), metadata_errors="ignore") as container:
            if not container.streams.video:
                raise MediaError("no video stream")
            duration = _duration(container)
    except av.FFmpegError as exc:
        raise MediaError(f"not a video: {exc}") from exc
    if duration is None:
        raise MediaError("unknown duration")
    return duration


def sample_video(path: str | os.PathLike[str], config: VerificationConfig) -> VideoSample:
    """Decode every frame (H.264 needs it) but convert only ~sample_fps of them, downscaled."""
    frames: list[SampledFrame] = []
    try:
        with av.open(os.fspath(path), metadata_errors="ignore") as container:
            stream = container.streams.video[0]
            stream.thread_type = "AUTO"
            has_audio = bool(container.streams.audio)
            width, height = stream.codec_context.width, stream.codec_context.height
            if width * height > config.max_pixels or width <= 0 or height <= 0:
                raise MediaError(f"frame size {width}x{height} out of bounds")
            scale = min(1.0, config.analysis_width / width)
            out_w, out_h = round(width * scale / 2) * 2, round(height * scale / 2) * 2
            start: float | None = None
            next_time = 0.0
            last = 0.0
            max_frames = int((config.max_seconds + 1.0) * MAX_FPS)
            for index, frame in enumerate(container.decode(stream)):
                if index >= max_frames:
                    raise MediaError("too many frames for the allowed duration")
                if frame.time is None:
                    continue
                start = frame.time if start is None else start
                last = frame.time - start
                # A lying header must not make us decode for ever.
                if last > config.max_seconds + 1.0:
                    break
                if last + 1e-3 < next_time:
                    continue
                # Step from the target, not the frame, so the rate does not drift down.
                next_time = max(next_time + 1.0 / config.sample_fps, last)
                rgb = frame.reformat(width=out_w, height=out_h, format="rgb24").to_ndarray()
                frames.append(SampledFrame(time=last, rgb=rgb))
    except av.FFmpegError as exc:
        raise MediaError(f"decoding failed: {exc}") from exc
    if not frames:
        raise MediaError("no decodable frames")
    return VideoSample(
        duration=last, width=width, height=height, frames=frames, has_audio=has_audio
    )


def decode_audio(path: str | os.PathLike[str], config: VerificationConfig) -> np.ndarray | None:
    """Mono float32 samples at AUDIO_RATE, at most max_seconds long; None without audio."""
    chunks: list[np.ndarray] = []
    limit = int((config.max_seconds + 1.0) * AUDIO_RATE)
    total = 0
    try:
        with av.open(os.fspath(path), metadata_errors="ignore") as container:
            if not container.streams.audio:
                return None
            resampler = av.AudioResampler(format="s16", layout="mono", rate=AUDIO_RATE)
            for frame in container.decode(container.streams.audio[0]):
                for out in resampler.resample(frame):
                    chunk = out.to_ndarray().reshape(-1)
                    chunks.append(chunk)
                    total += chunk.size
                if total >= limit:
                    break
    except av.FFmpegError as exc:
        raise MediaError(f"audio decoding failed: {exc}") from exc
    if not chunks:
        return np.zeros(0, dtype=np.float32)
    return (np.concatenate(chunks)[:limit].astype(np.float32) / 32768.0).astype(np.float32)


def is_video_container(data: bytes) -> bool:
    """Whether the bytes start like a container we decode (a cheap check before decoding)."""
    return any(data[offset:offset + len(magic)] == magic for offset, magic in _CONTAINERS)


def decode_upload(data: bytes, config: VerificationConfig) -> tuple[float, VideoSample]:
    """The declared duration and the sampled frames of an upload held in memory, decoded as
    the verification will: the check an upload door makes before it accepts the file.
    Raises MediaError for what cannot be decoded (not a video, truncated, no frames)."""
    with tempfile.TemporaryDirectory(prefix="castline-upload-") as workdir:
        path = Path(workdir) / "upload"
        path.write_bytes(data)
        return open_checked(path, config), sample_video(path, config)
