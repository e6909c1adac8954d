"""Storyboards: shots joined back to back with audio kept in sync with each shot's picture."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from generation.backends import GenerationSpec, get_backend
from generation.backends.base import GenerationResult
from generation.media import concat_results, encode_mp4, last_frame, probe

SAMPLE_RATE = 16000
FPS = 24.0


def _shot(num_frames: int, level: float | None, audio_seconds: float = 0.0) -> GenerationResult:
    frames = np.full((num_frames, 16, 16, 3), num_frames, dtype=np.uint8)
    audio = None
    if level is not None:
        audio = np.full((2, round(audio_seconds * SAMPLE_RATE)), level, dtype=np.float32)
    return GenerationResult(frames=frames, audio=audio, fps=FPS, sample_rate=SAMPLE_RATE)


def test_each_shot_audio_starts_where_its_picture_starts() -> None:
    # Shot 1's audio is too short, shot 2's too long, shot 3 has none.
    shots = [_shot(25, 0.25, audio_seconds=0.5), _shot(13, 0.5, audio_seconds=3.0), _shot(10, None)]

    joined = concat_results(shots)

    assert len(joined.frames) == 48
    assert joined.audio is not None
    assert joined.audio.shape == (2, 32000)  # exactly 48 frames at 24 fps
    boundary_1 = round(25 / FPS * SAMPLE_RATE)
    boundary_2 = round(38 / FPS * SAMPLE_RATE)
    assert np.all(joined.audio[:, :8000] == 0.25)
    assert np.all(joined.audio[:, 8000:boundary_1] == 0.0)  # padding, not shot 2 pulled early
    assert np.all(joined.audio[:, boundary_1:boundary_2] == 0.5)  # trimmed to its picture
    assert np.all(joined.audio[:, boundary_2:] == 0.0)  # the silent shot stays silent


def test_shots_without_any_audio_join_without_audio() -> None:
    assert concat_results([_shot(3, None), _shot(4, None)]).audio is None


def test_mismatched_shots_are_rejected() -> None:
    other_fps = GenerationResult(
        frames=np.zeros((2, 16, 16, 3), np.uint8), audio=None, fps=30.0, sample_rate=SAMPLE_RATE
    )
    with pytest.raises(ValueError):
        concat_results([_shot(2, None), other_fps])


def test_last_frame_is_an_independent_copy_of_the_final_frame() -> None:
    shot = _shot(4, None)
    frame = last_frame(shot)

    np.testing.assert_array_equal(frame, shot.frames[-1])
    frame[:] = 0
    assert shot.frames[-1].max() == 4


def test_two_shot_storyboard_encodes_in_sync(tmp_path: Path) -> None:
    backend = get_backend(None, "cpu")
    spec = GenerationSpec(
        prompt="a fox runs", width=96, height=160, num_frames=30, fps=FPS, num_inference_steps=2
    )
    first = backend.generate(spec)
    second = backend.generate(
        GenerationSpec(
            prompt="the fox jumps",
            width=96,
            height=160,
            num_frames=21,
            fps=FPS,
            num_inference_steps=2,
            condition_image=last_frame(first),
        )
    )

    info = probe(encode_mp4(concat_results([first, second]), tmp_path / "story.mp4"))

    assert info.num_frames == 51
    assert info.duration == pytest.approx(51 / FPS, abs=1e-3)
    assert info.audio_duration is not None
    assert abs(info.audio_duration - info.duration) <= 1 / FPS
