"""Long videos in one job: made in segments, each continuing the last.

A worker holds one segment at a time: each segment, once made and checked, is spooled to the
job's folder, frames and sound both, and post-processing reads the spool back segment by
segment into one MP4 (postprocess.mark_and_encode_segments): picture and soundtrack go into
the file in pieces, so memory is bounded by a segment, not the video. The sound is carried
across each join as the whole track would be: each piece is fitted to its place on the whole
video's clock and faded at its cuts exactly as join_audio fades a track joined whole.

Within a shot, a segment continues the one before from its last frames (overlapping
conditioning: `GenerationSpec.condition_video`); a new shot of a storyboard or an
extension's first segment starts from the last frame, as shots always have.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from .backends.fit import audio_samples_for, fit_audio
from .media.continuity import fade_at_cuts

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    from .backends.base import GenerationResult, GenerationSpec

# Segments of one shot get seeds this far apart, clear of the next shots' (seed + shot index).
_SEGMENT_SEED_STRIDE = 1009


@dataclass(frozen=True)
class Segment:
    spec: GenerationSpec
    continues_shot: bool  # the same shot as the segment before: overlap its last frames


def segment_plan(specs: list[GenerationSpec], *, segment_frames: int) -> list[Segment]:
    """Every shot longer than `segment_frames` cut into near-equal segments of at most that."""
    segments = []
    for spec in specs:
        count = -(-spec.num_frames // segment_frames)
        base, longer = divmod(spec.num_frames, count)
        segments += [Segment(replace(spec, num_frames=base + (index < longer),
                                     seed=(spec.seed + _SEGMENT_SEED_STRIDE * index) % 2**32),
                             continues_shot=index > 0)
                     for index in range(count)]
    return segments


def segment_specs(specs: list[GenerationSpec], *, segment_frames: int) -> list[GenerationSpec]:
    return [segment.spec for segment in segment_plan(specs, segment_frames=segment_frames)]


def _resampled(audio: npt.NDArray[np.float32], rate: int, to: int) -> npt.NDArray[np.float32]:
    """Linear interpolation to another rate (a backend without a stated rate extending a
    stored file: its sound was decoded at the AAC rate)."""
    length = round(audio.shape[1] * to / rate)
    positions = np.linspace(0, audio.shape[1] - 1, length)
    return np.stack([np.interp(positions, np.arange(audio.shape[1]), channel)
                     for channel in audio]).astype(np.float32)


class Spool:
    """The segments of a job made so far, frames and sound on disk."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.frame_counts: list[int] = []
        self._has_audio: list[bool] = []
        self.channels = 0
        self.fps = 0.0
        self.sample_rate = 0
        self.frame_size = (0, 0)  # (width, height)

    def add(self, result: GenerationResult) -> None:
        if self.frame_counts and (result.fps != self.fps or
                                  result.frames.shape[1:3] != self.frame_size[::-1]):
            raise ValueError("all segments must share fps and frame size")
        if result.audio is not None:
            audio = result.audio
            if self.sample_rate and result.sample_rate != self.sample_rate:
                audio = _resampled(audio, result.sample_rate, self.sample_rate)
            self.sample_rate = self.sample_rate or result.sample_rate
            self.channels = max(self.channels, audio.shape[0])
            np.save(self._path(len(self.frame_counts), "audio"), audio, allow_pickle=False)
        self.fps = result.fps
        self.frame_size = (result.frames.shape[2], result.frames.shape[1])
        np.save(self._path(len(self.frame_counts), "frames"), result.frames, allow_pickle=False)
        self.frame_counts.append(len(result.frames))
        self._has_audio.append(result.audio is not None)

    def __len__(self) -> int:
        return len(self.frame_counts)

    def frames(self, index: int) -> npt.NDArray[np.uint8]:
        """Segment `index`'s frames, read back (a fresh, writable array)."""
        loaded: npt.NDArray[np.uint8] = np.load(self._path(index, "frames"), allow_pickle=False)
        return loaded

    @property
    def has_audio(self) -> bool:
        return any(self._has_audio)

    @property
    def starts(self) -> list[int]:
        """The index of each segment's first frame in the whole video."""
        return [int(start) for start in np.cumsum([0, *self.frame_counts[:-1]])]

    @property
    def sample_starts(self) -> list[int]:
        """Where each segment's sound starts in the whole soundtrack, and (last) its end: at
        the rounded sample of the frames so far, so rounding never accumulates."""
        return [audio_samples_for(frames, self.fps, self.sample_rate)
                for frames in np.cumsum([0, *self.frame_counts]).tolist()]

    @property
    def frame_total(self) -> int:
        return sum(self.frame_counts)

    @property
    def sample_total(self) -> int:
        return self.sample_starts[-1]

    @property
    def duration(self) -> float:
        return self.frame_total / self.fps

    def audio_piece(self, index: int) -> npt.NDArray[np.float32]:
        """Segment `index`'s sound as the whole soundtrack has it there: fitted to its frames
        (silence for a silent segment), mono widened to the track's channels, faded into its
        first cut and out of its last (the cuts between segments only)."""
        bounds = self.sample_starts
        samples = bounds[index + 1] - bounds[index]
        if self._has_audio[index]:
            audio: npt.NDArray[np.float32] = np.load(self._path(index, "audio"),
                                                     allow_pickle=False)
            if audio.shape[0] < self.channels:
                audio = np.repeat(audio[:1], self.channels, axis=0)
        else:
            audio = np.zeros((self.channels, 0), np.float32)
        piece = fit_audio(audio, samples)
        # A cut at each end that is a join; fade_at_cuts fades either side of a cut, so
        # the piece is faded in at 0 and out at its length.
        cuts = [cut for cut, join in ((0, index > 0), (samples, index < len(self) - 1)) if join]
        return fade_at_cuts(piece, self.sample_rate, cuts)

    def audio_pieces(self) -> Iterator[npt.NDArray[np.float32]]:
        for index in range(len(self)):
            yield self.audio_piece(index)

    def _path(self, index: int, kind: str) -> Path:
        return self.folder / f"segment-{index:03d}-{kind}.npy"
