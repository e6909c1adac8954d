"""Long videos in one job: made in segments, each continuing the last from its final frame.

A worker holds one segment's frames at a time: each segment, once made and checked, is
spooled to the job's folder, and post-processing reads the spool back segment by segment
into one MP4 (postprocess.package_segments). The soundtrack (about 4 MB a minute at the
tiny model's rate, 23 MB at 48 kHz stereo) is kept whole, joined with faded cuts as an
extension's is.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from .media.storyboard import join_audio

if TYPE_CHECKING:
    from pathlib import Path

    from .backends.base import GenerationResult, GenerationSpec

# Segments of one shot get seeds this far apart, clear of the next shots' (seed + shot index).
_SEGMENT_SEED_STRIDE = 1009


def segment_specs(specs: list[GenerationSpec], *, segment_frames: int) -> list[GenerationSpec]:
    """Every shot longer than `segment_frames` cut into near-equal segments of at most that."""
    segments = []
    for spec in specs:
        count = -(-spec.num_frames // segment_frames)
        base, longer = divmod(spec.num_frames, count)
        segments += [replace(spec, num_frames=base + (index < longer),
                             seed=(spec.seed + _SEGMENT_SEED_STRIDE * index) % 2**32)
                     for index in range(count)]
    return segments


class Spool:
    """The segments of a job made so far: frames on disk, sound in memory."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.frame_counts: list[int] = []
        self._audio: list[npt.NDArray[np.float32] | None] = []
        self.fps = 0.0
        self.sample_rate = 0
        self.frame_size = (0, 0)  # (width, height)

    def add(self, result: GenerationResult) -> None:
        if self.frame_counts and (result.fps != self.fps or
                                  result.frames.shape[1:3] != self.frame_size[::-1]):
            raise ValueError("all segments must share fps and frame size")
        if result.audio is not None:
            if self.sample_rate and result.sample_rate != self.sample_rate:
                raise ValueError("all segments with audio must share the sample rate")
            self.sample_rate = result.sample_rate
        self.fps = result.fps
        self.frame_size = (result.frames.shape[2], result.frames.shape[1])
        np.save(self._path(len(self.frame_counts)), result.frames, allow_pickle=False)
        self.frame_counts.append(len(result.frames))
        self._audio.append(result.audio)

    def __len__(self) -> int:
        return len(self.frame_counts)

    def frames(self, index: int) -> npt.NDArray[np.uint8]:
        """Segment `index`'s frames, read back (a fresh, writable array)."""
        loaded: npt.NDArray[np.uint8] = np.load(self._path(index), allow_pickle=False)
        return loaded

    @property
    def starts(self) -> list[int]:
        """The index of each segment's first frame in the whole video."""
        return [int(start) for start in np.cumsum([0, *self.frame_counts[:-1]])]

    @property
    def frame_total(self) -> int:
        return sum(self.frame_counts)

    @property
    def duration(self) -> float:
        return self.frame_total / self.fps

    def soundtrack(self) -> npt.NDArray[np.float32] | None:
        """The whole soundtrack, each segment's sound fitted to its frames, cuts faded."""
        return join_audio(list(zip(self.frame_counts, self._audio, strict=True)), fps=self.fps,
                          sample_rate=self.sample_rate, fade_cuts=True)

    def _path(self, index: int) -> Path:
        return self.folder / f"segment-{index:03d}.npy"
