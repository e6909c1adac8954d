"""Read back what an MP4 holds (codecs, size, frame rate, durations) with PyAV."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import av

if TYPE_CHECKING:
    from pathlib import Path


@dataclass(frozen=True)
class MediaInfo:
    width: int
    height: int
    fps: float
    duration: float
    num_frames: int
    video_codec: str
    pix_fmt: str
    has_audio: bool
    audio_codec: str | None
    audio_duration: float | None
    audio_sample_rate: int | None


def probe(path: str | Path) -> MediaInfo:
    with av.open(str(path)) as container:
        video = container.streams.video[0]
        rate = video.average_rate or video.base_rate
        fps = float(rate) if rate else 0.0
        num_frames = video.frames or sum(1 for _ in container.demux(video))
        if video.duration is not None and video.time_base is not None:
            duration = float(video.duration * video.time_base)
        else:
            duration = num_frames / fps if fps else 0.0
        audio = container.streams.audio[0] if container.streams.audio else None
        audio_duration = None
        if audio is not None and audio.duration is not None and audio.time_base is not None:
            audio_duration = float(audio.duration * audio.time_base)
        return MediaInfo(
            width=video.codec_context.width,
            height=video.codec_context.height,
            fps=fps,
            duration=duration,
            num_frames=num_frames,
            video_codec=video.codec_context.name,
            pix_fmt=video.codec_context.pix_fmt or "",
            has_audio=audio is not None,
            audio_codec=audio.codec_context.name if audio is not None else None,
            audio_duration=audio_duration,
            audio_sample_rate=audio.codec_context.sample_rate if audio is not None else None,
        )
