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


def _packet_time(packet: av.Packet) -> Fraction:
    return Fraction(packet.dts or 0) * (packet.time_base or Fraction(0))


class Mp4Writer:
    """An MP4 written as frames arrive: each batch (a long job's segment) is encoded and muxed
    at once, so memory holds one batch, not the whole video. The soundtrack is given whole
    (`audio`) or in pieces (`audio_pieces=True`, then `write_audio` before each batch of
    frames it goes with); either way its AAC packets are interleaved in time order with the
    picture, so phones can play while downloading."""

    def __init__(self, target: Path | BinaryIO, *, width: int, height: int, fps: float,
                 audio: npt.NDArray[np.float32] | None, sample_rate: int,
                 crf: int = VIDEO_CRF, preset: str = VIDEO_PRESET,
                 audio_pieces: bool = False) -> None:
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
        self._audio_stream: av.AudioStream | None = None
        self._sample_rate = sample_rate
        self._samples_in = 0
        if audio is not None or audio_pieces:
            stream = self._container.add_stream("aac", rate=AAC_SAMPLE_RATE, layout="stereo")
            stream.bit_rate = AAC_BIT_RATE
            self._audio_stream = stream
            self._resampler = av.AudioResampler(format="fltp", layout="stereo",
                                                rate=AAC_SAMPLE_RATE)
        if audio is not None:
            self.write_audio(audio)
        self._next_pts = 0

    def write_audio(self, audio: npt.NDArray[np.float32]) -> None:
        """The next piece of the soundtrack ([channels, samples] at `sample_rate`)."""
        if self._audio_stream is None:
            raise ValueError("this writer was opened without a soundtrack")
        source = av.AudioFrame.from_ndarray(_stereo(audio), format="fltp", layout="stereo")
        source.sample_rate = self._sample_rate
        source.pts = self._samples_in
        source.time_base = Fraction(1, self._sample_rate)
        self._samples_in += audio.shape[-1]
        for resampled in self._resampler.resample(source):
            self._audio.extend(self._audio_stream.encode(resampled))

    def _end_audio(self) -> None:
        # Flushing the resampler (None) returns its buffered tail, so no samples are lost.
        if self._audio_stream is not None:
            for resampled in self._resampler.resample(None):
                self._audio.extend(self._audio_stream.encode(resampled))
            self._audio.extend(self._audio_stream.encode())

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
        self._end_audio()
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
