"""Whether a stitched video flows across its joins (a relay's source + new segment, a
storyboard's shots): no click or gap in the sound at a cut, no jump in the picture beyond
what it moves inside a segment; and the short fades that keep the sound continuous.

A click is a step in the waveform: energy in its first difference (a high-pass) packed into
a millisecond or two. So each join is measured as the loudest 1 ms window of the difference
within 2 ms of the cut, against the same measure of a typical 5 ms stretch inside the segments
(the median over all of them, away from the joins): a click ratio of 1 means the cut sounds
like any other moment. A gap is a run of
near-silence at the cut; the picture's jump is the mean absolute change between the frames
either side of the cut, against the largest change between neighbouring frames inside the
segments.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

if TYPE_CHECKING:
    from collections.abc import Sequence

# Fades either side of a cut: long enough that the step becomes a smooth curve, short enough
# to be heard as no dip (10 ms in all; speech syllables last 100+ ms).
FADE_S = 0.005
_WINDOW_S = 0.001  # the click window
_NEAR_S = 0.002  # where a join's click may sit (the fades move it by less)
_AWAY_S = 0.05  # inside a segment: this far from any join
_GAP_SEARCH_S = 0.1  # a gap is looked for this far around the cut
_SILENT = 10 ** (-60 / 20)  # -60 dBFS: below this a sample counts as silence


@dataclass(frozen=True)
class AudioJoin:
    at_s: float
    click_ratio: float  # 1: the cut's sharpest millisecond is like a typical stretch's
    gap_ms: float  # the longest near-silent run within 100 ms of the cut
    level_step_db: float  # loudness 50 ms after the cut minus 50 ms before


@dataclass(frozen=True)
class FrameJoin:
    at_frame: int
    jump_ratio: float  # <= 1: the cut changes the picture no more than the segments' own steps


def _mono(audio: npt.NDArray[np.floating]) -> npt.NDArray[np.float64]:
    return np.asarray(audio, dtype=np.float64).reshape(-1, audio.shape[-1]).mean(axis=0)


def _window_rms(signal: npt.NDArray[np.float64], width: int) -> npt.NDArray[np.float64]:
    """RMS of every `width`-sample window (index i: the window starting at sample i)."""
    squares = np.concatenate([[0.0], np.cumsum(signal ** 2)])
    return np.sqrt(np.maximum(squares[width:] - squares[:-width], 0) / width)


def _longest_run(mask: npt.NDArray[np.bool_]) -> int:
    if not mask.any():
        return 0
    padded = np.concatenate([[0], mask.astype(np.int8), [0]])
    edges = np.flatnonzero(np.diff(padded))
    return int((edges[1::2] - edges[::2]).max())


def _rms_db(part: npt.NDArray[np.float64]) -> float:
    return float(20 * np.log10(max(float(np.sqrt(np.mean(part ** 2))) if part.size else 0.0,
                                   1e-9)))


def audio_joins(audio: npt.NDArray[np.floating], sample_rate: int,
                joins: Sequence[int]) -> list[AudioJoin]:
    """Each join (a sample index where a new segment starts) measured as described above."""
    mono = _mono(audio)
    diff = np.diff(mono)
    width = max(1, round(_WINDOW_S * sample_rate))
    windows = _window_rms(diff, width)
    away = round(_AWAY_S * sample_rate)
    near, search = round(_NEAR_S * sample_rate), round(_GAP_SEARCH_S * sample_rate)
    # The baseline is the same statistic as at a join (the sharpest window of a stretch as
    # long as the one searched at a join), taken over every such stretch inside the segments:
    # a median of single windows would make any busy moment look like a click.
    stretch = 2 * near + width
    inside = np.ones(len(windows), dtype=bool)
    for join in joins:
        inside[max(0, join - away):join + away] = False
    whole = len(windows) // stretch * stretch
    sharpest_of_stretches = windows[:whole].reshape(-1, stretch).max(axis=1)
    stretches_inside = inside[:whole].reshape(-1, stretch).all(axis=1)
    typical = (float(np.median(sharpest_of_stretches[stretches_inside]))
               if stretches_inside.any() else 0.0)
    level = round(0.05 * sample_rate)
    measured = []
    for join in joins:
        around = windows[max(0, join - near - width):join + near]
        sharpest = float(around.max()) if around.size else 0.0
        silent = np.abs(mono[max(0, join - search):join + search]) < _SILENT
        measured.append(AudioJoin(
            at_s=join / sample_rate,
            click_ratio=sharpest / typical if typical > 0 else float("inf"),
            gap_ms=1000 * _longest_run(silent) / sample_rate,
            level_step_db=_rms_db(mono[join:join + level]) -
            _rms_db(mono[max(0, join - level):join])))
    return measured


def frame_joins(frames: npt.NDArray[np.uint8], joins: Sequence[int]) -> list[FrameJoin]:
    """Each join (the index of a segment's first frame) against the picture's own motion."""
    steps = np.abs(np.diff(frames.astype(np.int16), axis=0)).mean(axis=(1, 2, 3))
    inside = np.ones(len(steps), dtype=bool)
    inside[[join - 1 for join in joins]] = False
    # The largest step, not the median: a model's frames may hold still between changes
    # (the tiny model's do), so most steps inside a segment are zero.
    largest = float(steps[inside].max()) if inside.any() else 0.0
    return [FrameJoin(at_frame=join,
                      jump_ratio=float(steps[join - 1]) / largest if largest > 0 else
                      float("inf") if steps[join - 1] > 0 else 1.0)
            for join in joins]


def fade_at_cuts(audio: npt.NDArray[np.float32], sample_rate: int,
                 cuts: Sequence[int]) -> npt.NDArray[np.float32]:
    """Short raised-cosine fades out of and into each cut (in place; returned): the waveform
    meets zero smoothly instead of stepping from one segment's last sample to the next's
    first, and no sample moves, so sound stays in sync with the picture."""
    fade = max(1, round(FADE_S * sample_rate))
    ramp = (0.5 - 0.5 * np.cos(np.linspace(0, np.pi, fade, dtype=np.float64))).astype(
        np.float32)
    for cut in cuts:
        before = audio[:, max(0, cut - fade):cut]
        before *= ramp[::-1][fade - before.shape[1]:]
        after = audio[:, cut:cut + fade]
        after *= ramp[:after.shape[1]]
    return audio
