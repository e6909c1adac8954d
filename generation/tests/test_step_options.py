"""The denoising step's settings on the tiny LTX-2 model (CPU): each applies, or does nothing
with the reason said, and the frames stay the job's; several queued jobs of one shape in one
pipeline call each get their own video, and a cancel of one leaves the others alone."""

from __future__ import annotations

import threading
import time
from dataclasses import replace

import numpy as np
import pytest

from generation.backends import GenerationCancelled, GenerationResult, GenerationSpec
from generation.backends.acceleration import StepOptions
from generation.backends.ltx2 import LTX2Backend
from generation.backends.tiny import build_tiny_backend

SPEC = GenerationSpec(prompt="a corgi surfing at sunset", width=96, height=160, num_frames=24,
                      fps=12.0, seed=7, num_inference_steps=3)


@pytest.fixture(scope="module")
def plain() -> LTX2Backend:
    return build_tiny_backend()


@pytest.fixture(scope="module")
def reference(plain: LTX2Backend) -> GenerationResult:
    return plain.generate(SPEC)


def _close(result: GenerationResult, reference: GenerationResult, *, levels: int = 1,
           audio: float = 1e-5) -> None:
    """Within `levels` of 255 per pixel and `audio` per sample of the plain pipeline's job."""
    assert result.frames.shape == reference.frames.shape
    assert np.abs(result.frames.astype(int) - reference.frames).max() <= levels
    assert result.audio is not None and reference.audio is not None
    assert np.abs(result.audio - reference.audio).max() <= audio


@pytest.mark.parametrize(("options", "applied"), [
    (StepOptions(attention="_native_math"), "applied _native_math"),
    (StepOptions(text_encoder_device="cpu"), "applied cpu"),
    (StepOptions(vae_tiling=True), "applied"),
])
def test_an_option_that_applies_keeps_the_jobs_frames(
        reference: GenerationResult, options: StepOptions, applied: str) -> None:
    backend = build_tiny_backend()
    done = backend.accelerate(options)
    assert applied in done.values(), done
    _close(backend.generate(SPEC), reference)


@pytest.mark.parametrize(("options", "option", "reason"), [
    (StepOptions(attention="_native_flash"), "attention", "CUDA only"),
    (StepOptions(attention="flash"), "attention", "flash_attn package"),
    (StepOptions(fp8="torchao"), "fp8", "torchao"),
    (StepOptions(offload="model"), "offload", "runs on cpu"),
])
def test_an_option_the_machine_cannot_use_does_nothing_and_says_why(
        reference: GenerationResult, options: StepOptions, option: str, reason: str,
        caplog: pytest.LogCaptureFixture) -> None:
    backend = build_tiny_backend()
    done = backend.accelerate(options)
    assert done[option].startswith("skipped:") and reason in done[option], done
    assert any(getattr(r, "option", None) == option for r in caplog.records)
    result = backend.generate(SPEC)
    _close(result, reference)


def test_fp8_storage_halves_the_transformers_weights_and_stays_close(
        reference: GenerationResult) -> None:
    backend = build_tiny_backend()
    before = sum(p.numel() * p.element_size() for p in backend.pipeline.transformer.parameters())
    done = backend.accelerate(StepOptions(fp8="storage"))
    assert done["fp8"].startswith("applied storage")
    after = sum(p.numel() * p.element_size() for p in backend.pipeline.transformer.parameters())
    assert after < 0.6 * before  # float32 -> float8 for the linear layers; norms stay
    # float8 keeps 3 mantissa bits: close, not equal (here: noise out of random weights).
    _close(backend.generate(SPEC), reference, levels=8, audio=1e-3)


def test_a_compiled_transformer_gives_the_same_frames(reference: GenerationResult) -> None:
    """torch.compile traced through the real transformer (aot_eager: dynamo's graph capture
    and AOT autograd without inductor's C++ build, which takes minutes on two CPU cores; the
    inductor kernels themselves are measured by bench/generation_gpu.py on CUDA)."""
    backend = build_tiny_backend()
    done = backend.accelerate(StepOptions(compile_mode="reduce-overhead",
                                          compile_backend="aot_eager"))
    assert "CUDA graphs skipped" in done["compile_note"]
    seconds = backend.warm_up(SPEC)
    assert seconds > 0
    _close(backend.generate(SPEC), reference)


def test_an_unknown_setting_is_refused_at_start() -> None:
    with pytest.raises(ValueError, match="compile_mode"):
        StepOptions(compile_mode="fast")
    with pytest.raises(ValueError, match="attention"):
        StepOptions(attention="flash_hub")  # would download a kernel


def _job(index: int) -> GenerationSpec:
    return replace(SPEC, prompt=f"shot {index}: a heron lands on a pier", seed=100 + index)


def test_three_jobs_in_one_call_each_get_the_video_they_would_get_alone(
        plain: LTX2Backend) -> None:
    specs = [_job(i) for i in range(3)]
    seen: list[list[str]] = [[], [], []]
    outcomes = plain.generate_batch(
        specs, [lambda f, s, i=i: seen[i].append(s) for i in range(3)])
    for index, outcome in enumerate(outcomes):
        assert isinstance(outcome, GenerationResult)
        _close(outcome, plain.generate(specs[index]))
        assert seen[index][0] == "encode_prompt" and seen[index][-1] == "done"
        assert seen[index].count("denoise") == SPEC.num_inference_steps
    assert not np.array_equal(outcomes[0].frames, outcomes[1].frames)


def test_a_cancel_of_one_job_in_a_batch_leaves_the_others(plain: LTX2Backend) -> None:
    specs = [_job(i) for i in range(3)]
    steps: list[int] = [0, 0, 0]

    def report(index: int):  # type: ignore[no-untyped-def]
        def progress(fraction: float, stage: str) -> None:
            steps[index] += stage == "denoise"
            if index == 1 and steps[index] == 2:
                raise GenerationCancelled()
        return progress

    outcomes = plain.generate_batch(specs, [report(i) for i in range(3)])
    assert isinstance(outcomes[1], GenerationCancelled)
    assert steps[1] == 2  # no report after its cancel
    for index in (0, 2):
        outcome = outcomes[index]
        assert isinstance(outcome, GenerationResult)
        _close(outcome, plain.generate(specs[index]))
        assert steps[index] == SPEC.num_inference_steps


def test_a_batch_stops_when_every_job_has_stopped(plain: LTX2Backend) -> None:
    calls = [0]

    def stop(fraction: float, stage: str) -> None:
        calls[0] += 1
        if stage == "denoise":
            raise GenerationCancelled()

    outcomes = plain.generate_batch([_job(0), _job(1)], [stop, stop])
    assert all(isinstance(o, GenerationCancelled) for o in outcomes)
    assert calls[0] == 4  # encode_prompt and the first step, for each: then the call ended


def test_a_batch_takes_only_jobs_of_one_shape(plain: LTX2Backend) -> None:
    with pytest.raises(ValueError, match="one shape"):
        plain.generate_batch([_job(0), replace(_job(1), num_frames=36)], [print, print])


def test_a_warm_up_beside_the_worker_makes_its_first_job_wait(plain: LTX2Backend) -> None:
    order: list[str] = []
    started = threading.Event()

    def warm() -> None:
        plain.generate(SPEC, lambda f, s: started.set() if s == "encode_prompt" else None)
        order.append("warm-up")

    thread = threading.Thread(target=warm)
    thread.start()
    started.wait(30)
    time.sleep(0.05)
    plain.generate(SPEC)
    order.append("job")
    thread.join()
    assert order == ["warm-up", "job"]
