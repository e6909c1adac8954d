"""LTX-2 backend: diffusers' text-to-video-with-audio pipeline and its image-to-video variant.

The same class serves the production weights (`load_ltx2_backend`, from a local directory) and
the tiny in-code model (`generation.backends.tiny`); only the render grid and call options differ.
"""

from __future__ import annotations

import logging
import math
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import numpy.typing as npt
import torch
from diffusers.pipelines.ltx2.pipeline_ltx2 import LTX2Pipeline
from diffusers.pipelines.ltx2.pipeline_ltx2_condition import (
    LTX2ConditionPipeline,
    LTX2VideoCondition,
)
from diffusers.pipelines.ltx2.pipeline_ltx2_image2video import LTX2ImageToVideoPipeline
from PIL import Image

from generation.backends.acceleration import Applied, StepOptions, apply_step_options
from generation.backends.base import (
    STAGE_AUDIO,
    STAGE_DECODE,
    STAGE_DENOISE,
    STAGE_DONE,
    STAGE_ENCODE_PROMPT,
    STAGE_RESIZE,
    GenerationResult,
    GenerationSpec,
    ProgressCallback,
)
from generation.backends.fit import (
    audio_samples_for,
    fit_audio_stretched,
    fit_frames,
    retime_indices,
    video_tensor_to_uint8,
)

logger = logging.getLogger(__name__)

# Progress fractions at stage boundaries; denoising steps fill the span between them.
DENOISE_START = 0.05
DENOISE_END = 0.85
AUDIO_START = 0.92
RESIZE_START = 0.96


@dataclass(frozen=True)
class RenderGrid:
    """What the pipeline is asked for; the output is then fitted to the spec."""

    width: int
    height: int
    num_frames: int
    frame_rate: float


AnyLTX2Pipeline = LTX2Pipeline | LTX2ImageToVideoPipeline | LTX2ConditionPipeline
# One job of a batch: its result, or what stopped it (a cancel, a lost claim) while the
# others went on.
BatchOutcome = GenerationResult | BaseException

# (spec, spatial compression, temporal compression) -> grid the pipeline can render.
GridPolicy = Callable[[GenerationSpec, int, int], RenderGrid]


def native_grid(spec: GenerationSpec, spatial: int, temporal: int) -> RenderGrid:
    """Full-size render: sides rounded to the VAE grid, frames rounded up to temporal*k + 1."""
    width = max(spatial, round(spec.width / spatial) * spatial)
    height = max(spatial, round(spec.height / spatial) * spatial)
    num_frames = math.ceil((spec.num_frames - 1) / temporal) * temporal + 1
    return RenderGrid(width, height, num_frames, spec.fps)


# Layers of sound a switch can turn off, as LTX-2 is told not to make them.
_SILENCED = {"dialogue_on": "speech, talking, dialogue, voices",
             "ambient_on": "ambient noise, background sound",
             "music_on": "music, soundtrack, singing"}


def _sentence(text: str) -> str:
    text = text.strip()
    return text if not text or text[-1] in ".!?\"'" else f"{text}."


def ltx2_prompts(spec: GenerationSpec) -> tuple[str, str]:
    """(prompt, negative prompt) as LTX-2's prompting guide asks: one flowing paragraph that
    says what is seen, how the camera moves and what is heard, spoken lines in double quotes
    with their speaker and language; a layer of sound switched off is said in the prompt and
    named in the negative prompt."""
    parts = [_sentence(spec.prompt)]
    if spec.camera:
        parts.append(_sentence(f"Camera: {spec.camera}"))
    negative = [spec.negative_prompt] if spec.negative_prompt else []
    if spec.with_audio:
        if spec.dialogue_on:
            for line in spec.dialogue:
                language = f" in {line.language}" if line.language else ""
                text = line.text.strip().replace('"', "'")
                parts.append(f'{line.speaker.strip()} says{language}: "{text}"')
        else:
            parts.append("No one speaks.")
        if spec.ambient_on and spec.ambient:
            parts.append(_sentence(f"Ambient sound: {spec.ambient}"))
        if spec.music_on and spec.music:
            parts.append(_sentence(f"Music: {spec.music}"))
        elif not spec.music_on:
            parts.append("No music.")
        negative.extend(words for switch, words in _SILENCED.items()
                        if not getattr(spec, switch))
    if len(parts) == 1 and len(negative) <= 1:
        return spec.prompt, spec.negative_prompt  # no direction: the prompt as written
    return " ".join(parts), ", ".join(negative)


def _ignore_progress(fraction: float, stage: str) -> None:
    return None


def _condition_frame(image: npt.NDArray[np.uint8], grid: RenderGrid) -> Image.Image:
    """Center-crop to the grid's aspect ratio, then resize, so reference frames aren't squashed."""
    height, width = image.shape[:2]
    target_aspect = grid.width / grid.height
    if width / height > target_aspect:
        crop_w = max(1, round(height * target_aspect))
        left = (width - crop_w) // 2
        image = image[:, left : left + crop_w]
    else:
        crop_h = max(1, round(width / target_aspect))
        top = (height - crop_h) // 2
        image = image[top : top + crop_h]
    frame = Image.fromarray(np.ascontiguousarray(image))
    return frame.resize((grid.width, grid.height), Image.Resampling.BICUBIC)


def _condition_clip(frames: npt.NDArray[np.uint8], fps: float, grid: RenderGrid,
                    temporal: int) -> list[Image.Image]:
    """The overlap frames (played at `fps`) retimed to the grid's rate, temporal*k + 1 of them
    (what the VAE encodes to whole latent frames), each fitted to the grid."""
    wanted = round(len(frames) * grid.frame_rate / fps)
    count = max(1, (wanted - 1) // temporal * temporal + 1)
    indices = retime_indices(len(frames), fps, count, grid.frame_rate)
    # The last overlap frame must be the clip's last: the new frames continue from it.
    indices = [*indices[:-1], len(frames) - 1] if count > 1 else [len(frames) - 1]
    return [_condition_frame(frames[i], grid) for i in indices]


class LTX2Backend:
    """Runs an `LTX2Pipeline` (or its image-to-video or condition twin for conditioned specs).

    One job at a time: a lock keeps a warm-up started beside the worker from overlapping
    with its first job. `generate_batch` runs several jobs of one shape in one pipeline call.
    """

    def __init__(
        self,
        pipeline: LTX2Pipeline,
        *,
        name: str,
        grid: GridPolicy = native_grid,
        call_options: Mapping[str, Any] | None = None,
    ) -> None:
        self.name = name
        self._pipeline = pipeline
        self._grid = grid
        self._call_options = dict(call_options or {})
        self._image_pipeline: LTX2ImageToVideoPipeline | None = None
        self._condition_pipeline: LTX2ConditionPipeline | None = None
        self._lock = threading.Lock()
        self.applied: Applied = {}

    @property
    def pipeline(self) -> LTX2Pipeline:
        return self._pipeline

    @property
    def sample_rate(self) -> int:
        return int(self._pipeline.vocoder.config.output_sampling_rate)

    @property
    def overlap_frames(self) -> int:
        """How many frames of the segment before a continuation is best conditioned on: one
        latent frame's worth plus the first (9 for LTX-2's 8x temporal compression)."""
        return int(self._pipeline.vae_temporal_compression_ratio) + 1

    def accelerate(self, options: StepOptions) -> Applied:
        """Apply the step settings (acceleration.py) once, before the first job."""
        with self._lock:
            self.applied = apply_step_options(self._pipeline, options)
        return self.applied

    def warm_up(self, spec: GenerationSpec) -> float:
        """One short job of the worker's shape, so compilation (and CUDA graph capture)
        happens here, not in a user's job; returns its seconds."""
        import time

        started = time.perf_counter()
        self.generate(replace(spec, num_inference_steps=2))
        return time.perf_counter() - started

    def _image_to_video(self) -> LTX2ImageToVideoPipeline:
        # Shares every module with the text-to-video pipeline: no extra weights in memory.
        if self._image_pipeline is None:
            image_pipeline = LTX2ImageToVideoPipeline(**self._pipeline.components)
            image_pipeline.set_progress_bar_config(disable=True)
            self._image_pipeline = image_pipeline
        return self._image_pipeline

    def _conditioned(self) -> LTX2ConditionPipeline:
        if self._condition_pipeline is None:
            components = {k: v for k, v in self._pipeline.components.items()
                          if k in LTX2ConditionPipeline._get_signature_keys(
                              LTX2ConditionPipeline)[0]}
            condition_pipeline = LTX2ConditionPipeline(**components)
            condition_pipeline.set_progress_bar_config(disable=True)
            self._condition_pipeline = condition_pipeline
        return self._condition_pipeline

    def _call_kwargs(self, specs: Sequence[GenerationSpec], grid: RenderGrid) -> dict[str, Any]:
        prompts = [ltx2_prompts(spec) for spec in specs]
        single = len(specs) == 1
        return {
            "prompt": prompts[0][0] if single else [p for p, _ in prompts],
            "negative_prompt": prompts[0][1] if single else [n for _, n in prompts],
            "width": grid.width,
            "height": grid.height,
            "num_frames": grid.num_frames,
            "frame_rate": grid.frame_rate,
            "num_inference_steps": specs[0].num_inference_steps,
            # A CPU generator gives the same noise on every device for a given seed; one per
            # job of a batch gives each job the noise it would have alone.
            "generator": (torch.Generator(device="cpu").manual_seed(specs[0].seed) if single
                          else [torch.Generator(device="cpu").manual_seed(spec.seed)
                                for spec in specs]),
            "output_type": "pt",  # frames stay on the device: see video_tensor_to_uint8
            "return_dict": False,
            **self._call_options,
        }

    def generate(
        self, spec: GenerationSpec, progress: ProgressCallback | None = None
    ) -> GenerationResult:
        overlap = 0
        render = spec
        if spec.condition_video is not None:
            if len(spec.condition_video) == 1:
                render = replace(spec, condition_video=None,
                                 condition_image=spec.condition_video[-1])
            else:  # the overlap is rendered again, then dropped from the result
                overlap = len(spec.condition_video)
                render = replace(spec, num_frames=spec.num_frames + overlap)
        outcome = self._run([render], [progress or _ignore_progress])[0]
        if isinstance(outcome, BaseException):
            raise outcome
        return _drop_overlap(outcome, overlap) if overlap else outcome

    def generate_batch(
        self, specs: Sequence[GenerationSpec], progresses: Sequence[ProgressCallback]
    ) -> list[BatchOutcome]:
        """Jobs of one `shape_key` in one pipeline call, each with its own seed, prompt and
        progress. A job whose progress raises (its cancel, its lost claim) is dropped from
        the reports and gets that exception as its outcome; the others go on. The call stops
        only when every job has stopped."""
        if len({spec.shape_key for spec in specs}) != 1 or not specs[0].shape_key[-1]:
            raise ValueError("a batch takes unconditioned jobs of one shape")
        return self._run(list(specs), list(progresses))

    def _run(self, specs: list[GenerationSpec], reports: list[ProgressCallback]
             ) -> list[BatchOutcome]:
        first = specs[0]
        pipe: AnyLTX2Pipeline = self._pipeline
        grid = self._grid(
            first, pipe.vae_spatial_compression_ratio, pipe.vae_temporal_compression_ratio
        )
        kwargs = self._call_kwargs(specs, grid)
        if first.condition_video is not None:
            pipe = self._conditioned()
            clip = _condition_clip(first.condition_video, first.fps, grid,
                                   pipe.vae_temporal_compression_ratio)
            kwargs["conditions"] = [LTX2VideoCondition(frames=clip, index=0, strength=1.0)]
        elif first.condition_image is not None:
            pipe = self._image_to_video()
            kwargs["image"] = _condition_frame(first.condition_image, grid)
        stopped: list[BaseException | None] = [None] * len(specs)

        def tell(fraction: float, stage: str) -> None:
            for index, report in enumerate(reports):
                if stopped[index] is not None:
                    continue
                try:
                    report(fraction, stage)
                except Exception as stop:
                    stopped[index] = stop
            if all(stop is not None for stop in stopped):
                raise _AllStopped()

        def on_step_end(
            running: AnyLTX2Pipeline,
            step: int,
            timestep: Any,
            tensors: dict[str, Any],
        ) -> dict[str, Any]:
            total = max(1, running.num_timesteps)
            tell(DENOISE_START + (DENOISE_END - DENOISE_START) * (step + 1) / total,
                 STAGE_DENOISE)
            if step + 1 == total:
                tell(DENOISE_END, STAGE_DECODE)
            return {}

        def on_vocoder_start(module: torch.nn.Module, args: Any) -> None:
            if first.with_audio:
                tell(AUDIO_START, STAGE_AUDIO)

        try:
            with self._lock:
                tell(0.0, STAGE_ENCODE_PROMPT)
                hook = pipe.vocoder.register_forward_pre_hook(on_vocoder_start)
                try:
                    video, audio = pipe(**kwargs, callback_on_step_end=on_step_end)
                finally:
                    hook.remove()
            tell(RESIZE_START, STAGE_RESIZE)
            outcomes: list[BatchOutcome] = []
            for index, spec in enumerate(specs):
                stop = stopped[index]
                outcomes.append(stop if stop is not None else
                                self._fitted(spec, grid, video[index],
                                             audio[index] if spec.with_audio else None))
            tell(1.0, STAGE_DONE)
        except _AllStopped:  # every job stopped, each for its own reason
            return [stop for stop in stopped if stop is not None]
        return [stopped[i] or outcome for i, outcome in enumerate(outcomes)]

    def _fitted(self, spec: GenerationSpec, grid: RenderGrid, video: torch.Tensor,
                audio: torch.Tensor | None) -> GenerationResult:
        frames = fit_frames(
            video_tensor_to_uint8(video),
            grid.frame_rate,
            width=spec.width,
            height=spec.height,
            num_frames=spec.num_frames,
            fps=spec.fps,
        )
        fitted_audio = None
        if audio is not None:
            waveform = audio.float().cpu().numpy()
            samples = audio_samples_for(spec.num_frames, spec.fps, self.sample_rate)
            fitted_audio = fit_audio_stretched(waveform, samples)
        return GenerationResult(
            frames=frames, audio=fitted_audio, fps=spec.fps, sample_rate=self.sample_rate
        )


class _AllStopped(Exception):  # noqa: N818 -- a signal, not an error
    """Every job of a call has stopped: the pipeline call ends here."""


def _drop_overlap(result: GenerationResult, overlap: int) -> GenerationResult:
    """The frames after the re-rendered overlap, and the sound from the same instant."""
    cut = audio_samples_for(overlap, result.fps, result.sample_rate)
    return GenerationResult(
        frames=np.ascontiguousarray(result.frames[overlap:]),
        audio=None if result.audio is None else np.ascontiguousarray(result.audio[:, cut:]),
        fps=result.fps, sample_rate=result.sample_rate)


def load_ltx2_backend(
    model_path: str,
    device: str,
    *,
    options: StepOptions | None = None,
    call_options: Mapping[str, Any] | None = None,
) -> LTX2Backend:
    """Load LTX-2 weights from a local directory (never the Hub): bf16 on CUDA, float32 on CPU.

    `options`: the step settings (acceleration.py; offload="model" keeps only the running
    module on the GPU, for cards smaller than the full model). `call_options` override
    pipeline call defaults (guidance scales, STG blocks, ...), which differ between LTX-2.0
    and LTX-2.3 checkpoints.
    """
    dtype = torch.bfloat16 if device.startswith("cuda") else torch.float32
    pipeline = LTX2Pipeline.from_pretrained(model_path, dtype=dtype, local_files_only=True)
    pipeline.to(device)
    pipeline.set_progress_bar_config(disable=True)
    backend = LTX2Backend(pipeline, name=f"ltx2:{model_path}", call_options=call_options)
    if options is not None and not options.is_plain:
        backend.accelerate(options)
    return backend
