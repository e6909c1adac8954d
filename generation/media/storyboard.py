"""Join shots into one video (storyboards) without letting audio drift from the picture."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from generation.backends.base import GenerationResult
from generation.backends.fit import audio_samples_for, fit_audio
from generation.media.continuity import fade_at_cuts

if TYPE_CHECKING:
    from collections.abc import Sequence


def last_frame(result: GenerationResult) -> npt.NDArray[np.uint8]:
    """The shot's final frame, to condition the next shot on (shot-to-shot continuity)."""
    return np.array(result.frames[-1], dtype=np.uint8, copy=True)


def concat_results(results: Sequence[GenerationResult], *,
                   fade_cuts: bool = False) -> GenerationResult:
    """Shots back to back; each shot's audio is trimmed/padded to end where its video ends.

    Shot boundaries are placed at the rounded sample of the cumulative frame count, so rounding
    never accumulates across many shots. A shot without audio contributes silence.
    `fade_cuts`: short fades either side of every cut (continuity.fade_at_cuts), so no cut
    clicks where one segment's sound ends on a different sample than the next begins.
    """
    if not results:
        raise ValueError("nothing to concatenate")
    first = results[0]
    for shot in results[1:]:
        if shot.fps != first.fps or shot.frames.shape[1:] != first.frames.shape[1:]:
            raise ValueError("all shots must share fps and frame size")
    frames = np.concatenate([shot.frames for shot in results])
    if len({shot.sample_rate for shot in results if shot.audio is not None}) > 1:
        raise ValueError("all shots with audio must share the sample rate")
    sample_rate = next((s.sample_rate for s in results if s.audio is not None),
                       first.sample_rate)
    audio = join_audio([(len(shot.frames), shot.audio) for shot in results], fps=first.fps,
                       sample_rate=sample_rate, fade_cuts=fade_cuts)
    return GenerationResult(frames=frames, audio=audio, fps=first.fps, sample_rate=sample_rate)


def join_audio(pieces: Sequence[tuple[int, npt.NDArray[np.float32] | None]], *, fps: float,
               sample_rate: int, fade_cuts: bool) -> npt.NDArray[np.float32] | None:
    """The soundtrack of segments of (frame count, audio) played back to back (see
    concat_results); None when no segment has sound."""
    with_audio = [audio for _, audio in pieces if audio is not None]
    if not with_audio:
        return None
    channels = max(audio.shape[0] for audio in with_audio)
    parts = []
    cuts = []
    frames_so_far = 0
    samples_so_far = 0
    for frame_count, piece in pieces:
        cuts.append(samples_so_far)
        frames_so_far += frame_count
        samples = audio_samples_for(frames_so_far, fps, sample_rate) - samples_so_far
        samples_so_far += samples
        audio = piece if piece is not None else np.zeros((channels, 0), np.float32)
        if audio.shape[0] < channels:  # mono shot among stereo shots
            audio = np.repeat(audio[:1], channels, axis=0)
        parts.append(fit_audio(audio, samples))
    joined = np.concatenate(parts, axis=1)
    if fade_cuts:
        fade_at_cuts(joined, sample_rate, cuts[1:])
    return joined
