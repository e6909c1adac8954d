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
    with_audio = [shot for shot in results if shot.audio is not None]
    if len({shot.sample_rate for shot in with_audio}) > 1:
        raise ValueError("all shots with audio must share the sample rate")
    if not with_audio:
        return GenerationResult(
            frames=frames, audio=None, fps=first.fps, sample_rate=first.sample_rate
        )

    sample_rate = with_audio[0].sample_rate
    channels = max(shot.audio.shape[0] for shot in with_audio if shot.audio is not None)
    pieces = []
    cuts = []
    frames_so_far = 0
    samples_so_far = 0
    for shot in results:
        cuts.append(samples_so_far)
        frames_so_far += len(shot.frames)
        shot_samples = audio_samples_for(frames_so_far, first.fps, sample_rate) - samples_so_far
        samples_so_far += shot_samples
        audio = shot.audio if shot.audio is not None else np.zeros((channels, 0), np.float32)
        if audio.shape[0] < channels:  # mono shot among stereo shots
            audio = np.repeat(audio[:1], channels, axis=0)
        pieces.append(fit_audio(audio, shot_samples))
    audio = np.concatenate(pieces, axis=1)
    if fade_cuts:
        fade_at_cuts(audio, sample_rate, cuts[1:])
    return GenerationResult(frames=frames, audio=audio, fps=first.fps, sample_rate=sample_rate)
