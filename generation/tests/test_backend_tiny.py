"""The tiny built-in LTX-2 backend: shapes, audio sync, progress, cancellation, determinism."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from generation.backends import GenerationCancelled, GenerationSpec, get_backend
from generation.backends.base import VideoBackend
from generation.backends.fit import audio_samples_for

# Small enough to keep each test well under a second once the model is built.
SPEC = GenerationSpec(
    prompt="a corgi surfing at sunset",
    width=96,
    height=160,
    num_frames=24,
    fps=12.0,
    seed=7,
    num_inference_steps=3,
)


@pytest.fixture(scope="module")
def backend() -> VideoBackend:
    return get_backend(None, "cpu")


@pytest.mark.parametrize(("width", "height"), [(96, 160), (160, 96), (64, 64)])
def test_frames_have_requested_size_and_count(
    backend: VideoBackend, width: int, height: int
) -> None:
    result = backend.generate(dataclasses.replace(SPEC, width=width, height=height))

    assert result.frames.shape == (SPEC.num_frames, height, width, 3)
    assert result.frames.dtype == np.uint8
    assert result.fps == SPEC.fps


def test_frame_rate_and_count_follow_the_request(backend: VideoBackend) -> None:
    result = backend.generate(dataclasses.replace(SPEC, num_frames=75, fps=30.0))

    assert len(result.frames) == 75
    assert result.fps == 30.0
    assert result.duration == pytest.approx(2.5)


def test_audio_covers_exactly_the_video_duration(backend: VideoBackend) -> None:
    result = backend.generate(SPEC)

    assert result.audio is not None
    assert result.audio.dtype == np.float32
    assert result.audio.shape[1] == audio_samples_for(SPEC.num_frames, SPEC.fps, result.sample_rate)
    # The model's own waveform reaches the last video frame (padding is at most one frame long).
    last_frame_samples = result.sample_rate // int(SPEC.fps)
    assert np.abs(result.audio[:, -2 * last_frame_samples : -last_frame_samples]).max() > 0


def test_without_audio_returns_none(backend: VideoBackend) -> None:
    assert backend.generate(dataclasses.replace(SPEC, with_audio=False)).audio is None


def test_progress_reports_each_step_and_stage_in_order(backend: VideoBackend) -> None:
    events: list[tuple[float, str]] = []

    backend.generate(SPEC, lambda fraction, stage: events.append((fraction, stage)))

    stages = [stage for _, stage in events]
    assert stages == [
        "encode_prompt",
        *["denoise"] * SPEC.num_inference_steps,
        "decode",
        "audio",
        "resize",
        "done",
    ]
    fractions = [fraction for fraction, _ in events]
    assert fractions == sorted(fractions)
    assert fractions[0] == 0.0 and fractions[-1] == 1.0
    denoise = [fraction for fraction, stage in events if stage == "denoise"]
    assert len(set(denoise)) == len(denoise)  # strictly increasing per step


def test_raising_from_progress_stops_at_the_next_step(backend: VideoBackend) -> None:
    events: list[str] = []

    def cancel_on_second_step(fraction: float, stage: str) -> None:
        events.append(stage)
        if events.count("denoise") == 2:
            raise GenerationCancelled

    with pytest.raises(GenerationCancelled):
        backend.generate(dataclasses.replace(SPEC, num_inference_steps=6), cancel_on_second_step)

    assert events == ["encode_prompt", "denoise", "denoise"]


def test_same_seed_gives_same_output_and_other_seed_differs(backend: VideoBackend) -> None:
    first = backend.generate(SPEC)
    again = backend.generate(SPEC)
    other = backend.generate(dataclasses.replace(SPEC, seed=SPEC.seed + 1))

    assert first.audio is not None and again.audio is not None
    np.testing.assert_array_equal(first.frames, again.frames)
    np.testing.assert_array_equal(first.audio, again.audio)
    assert not np.array_equal(first.frames, other.frames)


def test_condition_image_steers_the_output(backend: VideoBackend) -> None:
    plain = backend.generate(SPEC)
    # A reference photo in another aspect ratio (e.g. a Cameo selfie) is cropped, not rejected.
    reference = np.full((300, 200, 3), 255, dtype=np.uint8)
    conditioned = backend.generate(dataclasses.replace(SPEC, condition_image=reference))

    assert conditioned.frames.shape == plain.frames.shape
    assert not np.array_equal(conditioned.frames, plain.frames)


def test_backend_is_kept_warm_per_process() -> None:
    assert get_backend(None, "cpu") is get_backend(None, "cpu")


@pytest.mark.parametrize(
    "changes",
    [{"width": 95}, {"height": 0}, {"num_frames": 0}, {"fps": 0.0}, {"num_inference_steps": 0}],
)
def test_invalid_specs_are_rejected(changes: dict[str, float]) -> None:
    with pytest.raises(ValueError):
        dataclasses.replace(SPEC, **changes)  # type: ignore[arg-type]


def test_pipeline_frames_become_rounded_uint8_frames_on_their_device() -> None:
    """The pipeline hands frames over as a [T, 3, H, W] tensor in [0, 1] (bf16 on a GPU):
    they come out as [T, H, W, 3] uint8, rounded and clamped, as the encoder wants them."""
    import torch

    from generation.backends.fit import video_tensor_to_uint8

    levels = torch.tensor([-0.2, 0.0, 0.5, 0.999, 1.0, 1.3])
    video = levels.view(1, 1, 1, 6).expand(2, 3, 4, 6).clone()  # T=2, C=3, H=4, W=6
    original = video.clone()
    for dtype in (torch.float32, torch.bfloat16):
        frames = video_tensor_to_uint8(video.to(dtype))
        assert frames.shape == (2, 4, 6, 3) and frames.dtype == np.uint8
        assert frames[1, 3, :, 2].tolist() == [0, 0, 128, 255, 255, 255]
        assert torch.equal(video, original)  # the pipeline's tensor is left as it was
    # Channels land last: a red frame stays red.
    red = torch.zeros(1, 3, 2, 2)
    red[:, 0] = 1.0
    assert video_tensor_to_uint8(red)[0, 0, 0].tolist() == [255, 0, 0]
