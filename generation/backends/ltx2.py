"""LTX-2 backend: diffusers' text-to-video-with-audio pipeline and its image-to-video variant.

The same class serves the production weights (`load_ltx2_backend`, from a local directory) and
the tiny in-code model (`generation.backends.tiny`); only the render grid and call options differ.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import torch
from diffusers.pipelines.ltx2.pipeline_ltx2 import LTX2Pipeline
from diffusers.pipelines.ltx2.pipeline_ltx2_image2video import LTX2ImageToVideoPipeline
from PIL import Image

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
    video_tensor_to_uint8,
)

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


AnyLTX2Pipeline = LTX2Pipeline | LTX2ImageToVideoPipeline

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


class LTX2Backend:
    """Runs an `LTX2Pipeline` (or its image-to-video twin for conditioned specs)."""

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

    @property
    def pipeline(self) -> LTX2Pipeline:
        return self._pipeline

    @property
    def sample_rate(self) -> int:
        return int(self._pipeline.vocoder.config.output_sampling_rate)

    def _image_to_video(self) -> LTX2ImageToVideoPipeline:
        # Shares every module with the text-to-video pipeline: no extra weights in memory.
        if self._image_pipeline is None:
            image_pipeline = LTX2ImageToVideoPipeline(**self._pipeline.components)
            image_pipeline.set_progress_bar_config(disable=True)
            self._image_pipeline = image_pipeline
        return self._image_pipeline

    def generate(
        self, spec: GenerationSpec, progress: ProgressCallback | None = None
    ) -> GenerationResult:
        report = progress or _ignore_progress
        pipe: AnyLTX2Pipeline = self._pipeline
        grid = self._grid(
            spec, pipe.vae_spatial_compression_ratio, pipe.vae_temporal_compression_ratio
        )
        prompt, negative_prompt = ltx2_prompts(spec)
        kwargs: dict[str, Any] = {
            "prompt": prompt,
            "negative_prompt": negative_prompt,
            "width": grid.width,
            "height": grid.height,
            "num_frames": grid.num_frames,
            "frame_rate": grid.frame_rate,
            "num_inference_steps": spec.num_inference_steps,
            # A CPU generator gives the same noise on every device for a given seed.
            "generator": torch.Generator(device="cpu").manual_seed(spec.seed),
            "output_type": "pt",  # frames stay on the device: see video_tensor_to_uint8
            "return_dict": False,
            **self._call_options,
        }
        if spec.condition_image is not None:
            pipe = self._image_to_video()
            kwargs["image"] = _condition_frame(spec.condition_image, grid)

        def on_step_end(
            running: AnyLTX2Pipeline,
            step: int,
            timestep: Any,
            tensors: dict[str, Any],
        ) -> dict[str, Any]:
            total = max(1, running.num_timesteps)
            report(
                DENOISE_START + (DENOISE_END - DENOISE_START) * (step + 1) / total, STAGE_DENOISE
            )
            if step + 1 == total:
                report(DENOISE_END, STAGE_DECODE)
            return {}

        def on_vocoder_start(module: torch.nn.Module, args: Any) -> None:
            if spec.with_audio:
                report(AUDIO_START, STAGE_AUDIO)

        report(0.0, STAGE_ENCODE_PROMPT)
        hook = pipe.vocoder.register_forward_pre_hook(on_vocoder_start)
        try:
            video, audio = pipe(**kwargs, callback_on_step_end=on_step_end)
        finally:
            hook.remove()

        report(RESIZE_START, STAGE_RESIZE)
        frames = fit_frames(
            video_tensor_to_uint8(video[0]),
            grid.frame_rate,
            width=spec.width,
            height=spec.height,
            num_frames=spec.num_frames,
            fps=spec.fps,
        )
        fitted_audio = None
        if spec.with_audio:
            waveform = audio[0].float().cpu().numpy()
            samples = audio_samples_for(spec.num_frames, spec.fps, self.sample_rate)
            fitted_audio = fit_audio_stretched(waveform, samples)
        report(1.0, STAGE_DONE)
        return GenerationResult(
            frames=frames, audio=fitted_audio, fps=spec.fps, sample_rate=self.sample_rate
        )


def load_ltx2_backend(
    model_path: str,
    device: str,
    *,
    cpu_offload: bool = False,
    call_options: Mapping[str, Any] | None = None,
) -> LTX2Backend:
    """Load LTX-2 weights from a local directory (never the Hub): bf16 on CUDA, float32 on CPU.

    `call_options` override pipeline call defaults (guidance scales, STG blocks, ...), which
    differ between LTX-2.0 and LTX-2.3 checkpoints.
    """
    dtype = torch.bfloat16 if device.startswith("cuda") else torch.float32
    pipeline = LTX2Pipeline.from_pretrained(model_path, dtype=dtype, local_files_only=True)
    if cpu_offload:
        # Keeps only the running module on the GPU, for cards smaller than the full model.
        pipeline.enable_model_cpu_offload(device=device)
    else:
        pipeline.to(device)
    pipeline.set_progress_bar_config(disable=True)
    return LTX2Backend(pipeline, name=f"ltx2:{model_path}", call_options=call_options)
