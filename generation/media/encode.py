"""Encode generated frames + audio to a phone-friendly MP4 (H.264 yuv420p + AAC, faststart)."""

from __future__ import annotations

from collections import deque
from fractions import Fraction
from pathlib import Path
from typing import BinaryIO

import av
import numpy as np
import numpy.typing as npt

from generation.backends.base import GenerationResult

# 48 kHz stereo is what phones expect; it also keeps AAC's 1024-sample frames short (21 ms).
AAC_SAMPLE_RATE = 48000
AAC_BIT_RATE = 128_000
VIDEO_CRF = 20
VIDEO_PRESET = "veryfast"


def exact_rate(fps: float) -> Fraction:
    """24 -> 24/1, 29.97 -> 30000/1001: the frame rate as the fraction the container stores."""
    return Fraction(fps).limit_denominator(1001)


def _stereo(audio: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
    if audio.shape[0] == 2:
        return np.ascontiguousarray(audio, dtype=np.float32)
    return np.ascontiguousarray(np.repeat(audio[:1], 2, axis=0), dtype=np.float32)


def _check_frames(frames: npt.NDArray[np.uint8]) -> None:
    if frames.ndim != 4 or frames.shape[3] != 3 or frames.dtype != np.uint8 or len(frames) == 0:
        raise ValueError("frames must be a non-empty uint8 [T, H, W, 3] array")
    if frames.shape[1] % 2 or frames.shape[2] % 2:
        raise ValueError(f"yuv420p needs even dimensions, got {frames.shape[2]}x{frames.shape[1]}")


def _audio_packets(
    stream: av.AudioStream, audio: npt.NDArray[np.float32], sample_rate: int
) -> list[av.Packet]:
    resampler = av.AudioResampler(format="fltp", layout="stereo", rate=AAC_SAMPLE_RATE)
    source = av.AudioFrame.from_ndarray(_stereo(audio), format="fltp", layout="stereo")
    source.sample_rate = sample_rate
    source.pts = 0
    source.time_base = Fraction(1, sample_rate)
    packets: list[av.Packet] = []
    # Flushing the resampler (None) returns its buffered tail, so no samples are lost.
    for resampled in [*resampler.resample(source), *resampler.resample(None)]:
        packets.extend(stream.encode(resampled))
    packets.extend(stream.encode())
    return packets


def _packet_time(packet: av.Packet) -> Fraction:
    return Fraction(packet.dts or 0) * (packet.time_base or Fraction(0))


class Mp4Writer:
    """An MP4 written as frames arrive: each batch (a long job's segment) is encoded and muxed
    at once, so memory holds one batch, not the whole video. The soundtrack is encoded up
    front (a minute of AAC is about 1 MB) and interleaved in time order with the picture, so
    phones can play while downloading."""

    def __init__(self, target: Path | BinaryIO, *, width: int, height: int, fps: float,
                 audio: npt.NDArray[np.float32] | None, sample_rate: int,
                 crf: int = VIDEO_CRF, preset: str = VIDEO_PRESET) -> None:
        self._rate = exact_rate(fps)
        # faststart moves the index to the front (it reopens the file by name, so in-memory
        # targets go without it).
        options = {"movflags": "+faststart"} if isinstance(target, Path) else {}
        self._container = av.open(str(target) if isinstance(target, Path) else target,
                                  mode="w", format="mp4", options=options)
        # Every stream must exist before the first packet is muxed (the header is written then).
        self._video = self._container.add_stream("libx264", rate=self._rate)
        self._video.width, self._video.height = width, height
        self._video.pix_fmt = "yuv420p"
        self._video.options = {"crf": str(crf), "preset": preset}
        self._audio: deque[av.Packet] = deque()
        if audio is not None:
            stream = self._container.add_stream("aac", rate=AAC_SAMPLE_RATE, layout="stereo")
            stream.bit_rate = AAC_BIT_RATE
            self._audio.extend(_audio_packets(stream, audio, sample_rate))
        self._next_pts = 0

    def write(self, frames: npt.NDArray[np.uint8]) -> None:
        _check_frames(frames)
        for frame in frames:
            video_frame = av.VideoFrame.from_ndarray(frame, format="rgb24")
            video_frame.pts = self._next_pts
            video_frame.time_base = 1 / self._rate
            self._next_pts += 1
            self._mux(self._video.encode(video_frame))

    def _mux(self, packets: list[av.Packet]) -> None:
        for packet in packets:
            while self._audio and _packet_time(self._audio[0]) <= _packet_time(packet):
                self._container.mux(self._audio.popleft())
            self._container.mux(packet)

    def close(self) -> None:
        self._mux(self._video.encode())
        while self._audio:
            self._container.mux(self._audio.popleft())
        self._container.close()

    def __enter__(self) -> Mp4Writer:
        return self

    def __exit__(self, kind: type[BaseException] | None, *_: object) -> None:
        if kind is None:
            self.close()
        else:
            self._container.close()  # the caller's error wins; the file is thrown away


def encode_mp4(result: GenerationResult, path: str | Path | BinaryIO, *,
               crf: int = VIDEO_CRF, preset: str = VIDEO_PRESET) -> Path | BinaryIO:
    """Write `result` to `path` as MP4; the audio track lasts exactly as long as the video."""
    _check_frames(result.frames)
    target: Path | BinaryIO = Path(path) if isinstance(path, str | Path) else path
    with Mp4Writer(target, width=result.frames.shape[2], height=result.frames.shape[1],
                   fps=result.fps, audio=result.audio, sample_rate=result.sample_rate,
                   crf=crf, preset=preset) as writer:
        writer.write(result.frames)
    return target


def encode_frames(frames: npt.NDArray[np.uint8], fps: float, dest: str | Path | BinaryIO, *,
                  crf: int = VIDEO_CRF, preset: str = VIDEO_PRESET) -> Path | BinaryIO:
    """Silent video from bare frames (benchmarks, re-encoding attacks in tests)."""
    even = frames[:, : frames.shape[1] // 2 * 2, : frames.shape[2] // 2 * 2]
    result = GenerationResult(frames=np.ascontiguousarray(even), audio=None, fps=fps,
                              sample_rate=AAC_SAMPLE_RATE)
    return encode_mp4(result, dest, crf=crf, preset=preset)
