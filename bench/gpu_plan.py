"""The measurements bench/generation_gpu.py makes after its plain default job, in order of
what they tell, each skipped (with the reason in the JSON) when the time left under
--budget-s would not cover its estimate: each step option alone (acceleration.py), all of
them together, batching, 720p, a 60 s 720p job in segments (peak memory), FP8 storage, and
the small-card configuration under a memory cap.

Options that change the pipeline for good (FP8 storage, offload, the cap) come last; the others
are undone after their measurement (attention back to native, compiled blocks dropped).
"""

from __future__ import annotations

import contextlib
import statistics
import time
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Callable


@dataclass(frozen=True)
class Measure:
    name: str
    estimate: Callable[[float], float]  # the plain job's seconds -> this one's
    run: Callable[[], dict[str, Any]]
    compiles: bool = False  # inductor's build: minutes on a CPU, so not in a smoke run


def _seconds(t0: float) -> float:
    return round(time.perf_counter() - t0, 3)


class Plan:
    """Runs measures in order within a budget; every result (or skip, or error) goes into
    `report["measures"]` and is saved at once."""

    def __init__(self, *, ctx: Any, progress: Any, budget_s: float, started: float,
                 smoke: bool = False) -> None:
        self.ctx, self.progress, self.smoke = ctx, progress, smoke
        self.budget_s, self.started = budget_s, started
        self.results: dict[str, Any] = progress.report.setdefault("measures", {})

    def left(self) -> float:
        return self.budget_s - (time.perf_counter() - self.started)

    def go(self, measure: Measure) -> dict[str, Any] | None:
        if self.smoke and measure.compiles:
            self.results[measure.name] = {"skipped": "smoke: compiling is checked by "
                                          "generation/tests/test_step_options.py"}
            return None
        # A smoke run checks that each measure runs: it goes while any time is left.
        estimate = 0.0 if self.smoke else measure.estimate(self.ctx.plain_seconds)
        if estimate > self.left() or self.left() <= 0:
            self.results[measure.name] = {"skipped": f"budget: needs ~{estimate:.0f} s, "
                                          f"{max(0.0, self.left()):.0f} s left"}
            self.progress.phase(measure.name, skipped=True)
            return None
        t0 = time.perf_counter()
        try:
            result = measure.run()
        except Exception as error:  # a measure reports its failure; the plan goes on
            result = {"error": f"{type(error).__name__}: {str(error)[:400]}"}
            self.ctx.recover()
        result["wall_seconds"] = _seconds(t0)
        self.results[measure.name] = result
        self.progress.phase(measure.name, **{k: v for k, v in result.items()
                                             if not isinstance(v, dict | list)})
        return result


class Context:
    """What the measures share: the backend, the default job, the device, the ideal rate."""

    def __init__(self, *, backend: Any, spec: Any, device: Any, recorder: Any,
                 transformer_flops_per_step: float | None, matmul_flops_per_s: float,
                 plain_seconds: float) -> None:
        self.backend, self.spec, self.device, self.recorder = backend, spec, device, recorder
        self.flops_per_step = transformer_flops_per_step
        self.rate = matmul_flops_per_s
        self.plain_seconds = plain_seconds

    @property
    def pipeline(self) -> Any:
        return self.backend.pipeline

    def recover(self) -> None:
        """After a failure (out of memory, a backend that would not run): memory freed and
        the undoable options undone, so the next measure starts clean."""
        undo(self.pipeline)
        self.device.empty_cache()

    def job(self, spec: Any, *, batch: int = 1, tokens_ratio: float = 1.0) -> dict[str, Any]:
        """One timed job (or `batch` jobs of the shape in one call): seconds, GPU-seconds
        per video second, the step against its FLOPs at the matmul rate, peak memory."""
        self.device.reset_peak()
        self.recorder.start_job()
        t0 = time.perf_counter()
        if batch == 1:
            self.backend.generate(spec, self.recorder.progress)
        else:
            specs = [replace(spec, seed=spec.seed + i, prompt=f"{spec.prompt} ({i})")
                     for i in range(batch)]
            self.backend.generate_batch(specs, [self.recorder.progress] * batch)
        self.device.sync()
        seconds = _seconds(t0)
        steps = [s for s in self.recorder.step_seconds() if s > 0]
        # In a batch every job reports each step: one step of the call is `batch` reports.
        step = (sum(steps) / max(1, len(steps) / batch) if batch > 1 and steps
                else statistics.median(steps) if steps else None)
        out: dict[str, Any] = {
            "seconds": seconds,
            "videos": batch,
            "video_seconds": round(spec.duration * batch, 3),
            "gpu_seconds_per_video_second": round(seconds / (spec.duration * batch), 3),
            "step_seconds": round(step, 4) if step else None,
            "memory": self.device.memory(),
        }
        if step and self.flops_per_step:
            ideal = self.flops_per_step * tokens_ratio * batch / self.rate
            out["step_ideal_seconds"] = round(ideal, 4)
            out["step_ratio_to_ideal"] = round(step / ideal, 2)
        return out


def undo(pipeline: Any) -> None:
    """Attention back to native SDPA, compiled blocks back to eager (dynamo's caches reset),
    the VAE untiled."""
    import torch

    pipeline.vae.disable_tiling()
    pipeline.vae.use_framewise_decoding = False
    with contextlib.suppress(Exception):
        pipeline.transformer.set_attention_backend("native")
    for module in pipeline.transformer.modules():
        if getattr(module, "_compiled_call_impl", None) is not None:
            module._compiled_call_impl = None
    torch._dynamo.reset()


def with_options(ctx: Context, options: Any, spec: Any, *, batch: int = 1,
                 keep: bool = False, tokens_ratio: float = 1.0) -> dict[str, Any]:
    """Apply `options`, warm up when compiling (timed apart: a worker pays it once at start),
    time the job, undo (unless `keep`)."""
    from generation.backends.acceleration import apply_step_options

    applied = apply_step_options(ctx.pipeline, options)
    out: dict[str, Any] = {"applied": applied}
    try:
        if options.compile_mode and all(not v.startswith("skipped") for v in applied.values()):
            t0 = time.perf_counter()
            ctx.backend.generate(replace(spec, num_inference_steps=2))
            out["compile_warmup_seconds"] = _seconds(t0)
        out |= ctx.job(spec, batch=batch, tokens_ratio=tokens_ratio)
    finally:
        if not keep:
            undo(ctx.pipeline)
    return out


def long_job(ctx: Context, spec: Any, *, seconds: int, segment_seconds: int,
             steps: int, segments: int = 0) -> dict[str, Any]:
    """A long job as the worker makes it: segments of `segment_seconds`, each continuing the
    last from its final frames (overlapping conditioning); peak memory over all of it. With
    `segments`, only the first that many are made: the worker holds one segment at a time,
    so the second (the first that is conditioned) already meets the whole job's peak."""
    from generation.backends.acceleration import StepOptions, apply_step_options

    applied = apply_step_options(ctx.pipeline, StepOptions(vae_tiling=True))
    ctx.device.reset_peak()
    backend = ctx.backend
    per_segment = []
    previous = None
    t0 = time.perf_counter()
    count = -(-seconds // segment_seconds)
    made = min(count, segments) if segments else count
    for index in range(made):
        segment = replace(spec, num_frames=round(segment_seconds * spec.fps),
                          num_inference_steps=steps, seed=spec.seed + 1009 * index)
        if previous is not None:
            segment = replace(segment, condition_image=previous[-1],
                              condition_video=previous[-backend.overlap_frames:])
        s0 = time.perf_counter()
        result = backend.generate(segment)
        ctx.device.sync()
        previous = result.frames[-backend.overlap_frames:].copy()
        per_segment.append({"seconds": _seconds(s0), **ctx.device.memory()})
        del result
    undo(ctx.pipeline)
    return {"applied": applied, "seconds": _seconds(t0), "video_seconds": seconds,
            "segments_of_job": count,
            "segments": per_segment,
            "steps_per_segment": steps, "memory": ctx.device.memory(),
            "note": "peak memory does not depend on the step count; time is for "
                    f"{steps} steps a segment"}


def capped(ctx: Context, options: Any, spec: Any, cap_gib: float) -> dict[str, Any]:
    """The small-card configuration: the process may use only `cap_gib` of the card
    (torch.cuda.set_per_process_memory_fraction), the options applied for good."""
    import torch

    from generation.backends.acceleration import apply_step_options

    device = ctx.device
    if not device.is_cuda:
        return {"skipped": "a memory cap needs CUDA"}
    undo(ctx.pipeline)
    applied = apply_step_options(ctx.pipeline, options)
    device.empty_cache()
    total = torch.cuda.get_device_properties(device.device).total_memory
    torch.cuda.set_per_process_memory_fraction(min(1.0, cap_gib * 2**30 / total), device.device)
    try:
        out = {"cap_gib": cap_gib, "applied": applied, **ctx.job(spec)}
    finally:
        torch.cuda.set_per_process_memory_fraction(1.0, device.device)
    return out
