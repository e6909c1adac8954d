"""Seconds per generation job on the real-size LTX-2 model (random weights, no downloads); JSON.

Builds `LTX2Pipeline` at the LTX-2.0 release sizes (19B-parameter audio-video transformer, video
and audio VAEs, vocoder, text connectors, a Gemma-3-12B-sized text encoder) with random weights
made directly on the device in bf16, wraps it in our `LTX2Backend` and times `backend.generate`
for the app's default job: 9:16 480p (480x854), 4 s at 24 fps, with audio, LTX2Pipeline's own
step count and guidance (classifier-free + spatio-temporal + modality guidance: per step one
transformer call on a batch of 2 and two on a batch of 1). The picture is noise; the work per
step is the production work.

Reported: build seconds per module, one warm-up job (fewer steps, excluded), then one timed job
split by stage (the backend's progress callback plus module hooks for a finer split), seconds
per denoising step, peak device memory, and a baseline from the same run: the device's bf16
matmul rate (8192^3 on a GPU), against which the job's FLOPs (counted on a 2-step job with
torch's FlopCounterMode) give a "speed of light" time and the ratio measured / ideal.

Never fails: errors go in the JSON, next to whatever was measured before them. A line per
finished phase goes to stderr and, with --out, the JSON so far is rewritten to that file after
every phase, so a run cut off by a timeout still leaves its data.

Then (bench/gpu_plan.py) each step option alone and together, batching, 720p, a 60 s 720p job
in segments (its peak memory), FP8 storage and a 24 GB card (a memory cap), each skipped when
--budget-s (default 480 s from the start) would not cover it: what was measured is printed.

Run (GPU):   scripts/gpu_bench.sh   (carries diffusers; see its header)
             python3 bench/generation_gpu.py --steps 8 --out gen_gpu.json
Smoke (CPU): .venv/bin/python bench/generation_gpu.py --smoke   (the tiny model, < 1 min)
"""

from __future__ import annotations

import argparse
import inspect
import itertools
import json
import math
import signal
import statistics
import sys
import time
import traceback
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

# Before the repo root, sys.path[0] is bench/, where generation.py would shadow the package.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from stages import Event, stage_seconds  # bench/stages.py, beside this script

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

BENCHMARK = "generation_job_ltx2_real_size_random_weights"
PROMPT = "a corgi surfing a wave at sunset, handheld camera, the crowd on the beach cheers"
# The app's default job (generation/services.py + specs.py): 9:16 at 480p, 4 s at 24 fps, audio.
JOB_WIDTH, JOB_HEIGHT, JOB_FPS, JOB_SECONDS = 480, 854, 24.0, 4

# LTX-2.0 release configs, as in diffusers' scripts/convert_ltx2_to_diffusers.py (version "2.0")
# and the Lightricks/LTX-2 diffusers repo configs; widths and layer counts shrink with --scale.
TRANSFORMER: dict[str, Any] = {
    "in_channels": 128,
    "out_channels": 128,
    "patch_size": 1,
    "patch_size_t": 1,
    "num_attention_heads": 32,
    "attention_head_dim": 128,
    "cross_attention_dim": 4096,
    "vae_scale_factors": (8, 32, 32),
    "pos_embed_max_pos": 20,
    "base_height": 2048,
    "base_width": 2048,
    "audio_in_channels": 128,
    "audio_out_channels": 128,
    "audio_patch_size": 1,
    "audio_patch_size_t": 1,
    "audio_num_attention_heads": 32,
    "audio_attention_head_dim": 64,
    "audio_cross_attention_dim": 2048,
    "audio_scale_factor": 4,
    "audio_pos_embed_max_pos": 20,
    "audio_sampling_rate": 16000,
    "audio_hop_length": 160,
    "num_layers": 48,
    "activation_fn": "gelu-approximate",
    "qk_norm": "rms_norm_across_heads",
    "norm_elementwise_affine": False,
    "norm_eps": 1e-6,
    "caption_channels": 3840,
    "attention_bias": True,
    "attention_out_bias": True,
    "rope_theta": 10000.0,
    "rope_double_precision": True,
    "causal_offset": 1,
    "timestep_scale_multiplier": 1000,
    "cross_attn_timestep_scale_multiplier": 1000,
    "rope_type": "split",
}
CONNECTORS: dict[str, Any] = {
    "caption_channels": 3840,
    "text_proj_in_factor": 49,  # Gemma 3 12B: 48 layers + the embeddings
    "video_connector_num_attention_heads": 30,
    "video_connector_attention_head_dim": 128,
    "video_connector_num_layers": 2,
    "video_connector_num_learnable_registers": 128,
    "audio_connector_num_attention_heads": 30,
    "audio_connector_attention_head_dim": 128,
    "audio_connector_num_layers": 2,
    "audio_connector_num_learnable_registers": 128,
    "connector_rope_base_seq_len": 4096,
    "rope_theta": 10000.0,
    "rope_double_precision": True,
    "causal_temporal_positioning": False,
    "rope_type": "split",
}
VIDEO_VAE: dict[str, Any] = {
    "in_channels": 3,
    "out_channels": 3,
    "latent_channels": 128,
    "block_out_channels": (256, 512, 1024, 2048),
    "down_block_types": ("LTX2VideoDownBlock3D",) * 4,
    "decoder_block_out_channels": (256, 512, 1024),
    "layers_per_block": (4, 6, 6, 2, 2),
    "decoder_layers_per_block": (5, 5, 5, 5),
    "spatio_temporal_scaling": (True, True, True, True),
    "decoder_spatio_temporal_scaling": (True, True, True),
    "decoder_inject_noise": (False, False, False, False),
    "downsample_type": ("spatial", "temporal", "spatiotemporal", "spatiotemporal"),
    "upsample_residual": (True, True, True),
    "upsample_factor": (2, 2, 2),
    "timestep_conditioning": False,
    "patch_size": 4,
    "patch_size_t": 1,
    "resnet_norm_eps": 1e-6,
    "encoder_causal": True,
    "decoder_causal": False,
    "encoder_spatial_padding_mode": "zeros",
    "decoder_spatial_padding_mode": "reflect",
    "spatial_compression_ratio": 32,
    "temporal_compression_ratio": 8,
}
AUDIO_VAE: dict[str, Any] = {
    "base_channels": 128,
    "output_channels": 2,
    "ch_mult": (1, 2, 4),
    "num_res_blocks": 2,
    "attn_resolutions": None,
    "in_channels": 2,
    "resolution": 256,
    "latent_channels": 8,
    "norm_type": "pixel",
    "causality_axis": "height",
    "dropout": 0.0,
    "mid_block_add_attention": False,
    "sample_rate": 16000,
    "mel_hop_length": 160,
    "is_causal": True,
    "mel_bins": 64,
    "double_z": True,
}
VOCODER: dict[str, Any] = {
    "in_channels": 128,  # 2 channels x 64 mel bins
    "hidden_channels": 1024,
    "out_channels": 2,
    "upsample_kernel_sizes": [16, 15, 8, 4, 4],
    "upsample_factors": [6, 5, 2, 2, 2],
    "resnet_kernel_sizes": [3, 7, 11],
    "resnet_dilations": [[1, 3, 5], [1, 3, 5], [1, 3, 5]],
    "leaky_relu_negative_slope": 0.1,
    "output_sampling_rate": 24000,
}
SCHEDULER: dict[str, Any] = {
    "use_dynamic_shifting": True,
    "base_shift": 0.95,
    "max_shift": 2.05,
    "base_image_seq_len": 1024,
    "max_image_seq_len": 4096,
    "shift_terminal": 0.1,
}
# google/gemma-3-12b-it (LTX-2's text encoder), in transformers 5 form (rope_parameters).
GEMMA3_TEXT: dict[str, Any] = {
    "vocab_size": 262208,
    "hidden_size": 3840,
    "intermediate_size": 15360,
    "num_hidden_layers": 48,
    "num_attention_heads": 16,
    "num_key_value_heads": 8,
    "head_dim": 256,
    "query_pre_attn_scalar": 256,
    "hidden_activation": "gelu_pytorch_tanh",
    "max_position_embeddings": 131072,
    "rms_norm_eps": 1e-6,
    "sliding_window": 1024,
    "rope_parameters": {
        "full_attention": {"rope_type": "linear", "factor": 8.0, "rope_theta": 1_000_000.0},
        "sliding_attention": {"rope_type": "default", "rope_theta": 10_000.0},
    },
    "attn_logit_softcapping": None,
    "final_logit_softcapping": None,
}
GEMMA3_VISION: dict[str, Any] = {
    "hidden_size": 1152,
    "intermediate_size": 4304,
    "num_hidden_layers": 27,
    "num_attention_heads": 16,
    "image_size": 896,
    "patch_size": 14,
    "vision_use_head": False,
}
GEMMA3_MM_TOKENS_PER_IMAGE = 256
STG_BLOCK = 28  # LTX2Pipeline's default `spatio_temporal_guidance_blocks`
# With shift_terminal (LTX-2's scheduler), 1 step gives NaN sigmas: the short jobs take 2.
MIN_STEPS = 2
FLOP_COUNT_STEPS = 2


NOTES = {
    "stage_seconds": "split by module hooks (device-synced): tokenize, text_encoder (prompt and"
    " negative prompt), connectors (+ latent prep), denoise (first transformer pass to the"
    " last step's end), video_decode (VAE decoder + frames to numpy), audio_decode (audio"
    " VAE), audio (vocoder), resize (fitting frames/audio to the spec, on the CPU)",
    "progress_stage_seconds": "as bench/generation.py, from the backend's progress callback"
    " alone: its encode_prompt span also holds the first denoising step",
    "step_seconds": "one entry per denoising step after the first (4 transformer passes each:"
    " CFG batch of 2, STG, modality isolation)",
    "num_inference_steps": "default: LTX2Pipeline's own (30); the app runs"
    " GENERATION_INFERENCE_STEPS (default 8), so --steps 8 times the app's default job",
    "ratios": "the job's FLOPs (FlopCounterMode on a 2-step job, transformer FLOPs scaled to"
    " the timed step count) at the baseline matmul rate give the ideal seconds; a ratio is"
    " measured / ideal, 1.0 being the device's practical ceiling",
}


def scaled(value: int, scale: float, *, minimum: int = 1, multiple: int = 1) -> int:
    """`value * scale` rounded to a multiple of `multiple`, never below `minimum`."""
    if scale >= 1.0:
        return value
    return max(minimum, round(value * scale / multiple) * multiple)


@dataclass(frozen=True)
class ModelConfigs:
    """Keyword arguments for every module, at the release size or shrunk by `scale`."""

    scale: float
    transformer: dict[str, Any]
    connectors: dict[str, Any]
    video_vae: dict[str, Any]
    audio_vae: dict[str, Any]
    vocoder: dict[str, Any]
    gemma_text: dict[str, Any]
    gemma_vision: dict[str, Any]

    @property
    def stg_block(self) -> int:
        return min(STG_BLOCK, self.transformer["num_layers"] - 1)


def model_configs(scale: float, min_vocab: int) -> ModelConfigs:
    """Shrink widths and layer counts together, keeping every cross-module size consistent."""

    def heads(n: int) -> int:
        return scaled(n, scale, minimum=2)

    def head_dim(n: int) -> int:
        return scaled(n, scale, minimum=8, multiple=8)

    def layers(n: int) -> int:
        return scaled(n, scale)

    video_inner = heads(32) * head_dim(128)
    audio_inner = heads(32) * head_dim(64)
    # Gemma's hidden size is the connectors' width (30 heads x 128 = 3840 at full size).
    connector_heads, connector_head_dim = heads(30), head_dim(128)
    text_hidden = connector_heads * connector_head_dim
    text_layers = layers(48)
    text_heads = heads(16)
    vae_base = scaled(256, scale, minimum=8, multiple=8)
    return ModelConfigs(
        scale=scale,
        transformer={
            **TRANSFORMER,
            "num_attention_heads": heads(32),
            "attention_head_dim": head_dim(128),
            "cross_attention_dim": video_inner,
            "audio_num_attention_heads": heads(32),
            "audio_attention_head_dim": head_dim(64),
            "audio_cross_attention_dim": audio_inner,
            "num_layers": layers(48),
            "caption_channels": text_hidden,
        },
        connectors={
            **CONNECTORS,
            "caption_channels": text_hidden,
            "text_proj_in_factor": text_layers + 1,
            "video_connector_num_attention_heads": connector_heads,
            "video_connector_attention_head_dim": connector_head_dim,
            "video_connector_num_layers": layers(2),
            "audio_connector_num_attention_heads": connector_heads,
            "audio_connector_attention_head_dim": connector_head_dim,
            "audio_connector_num_layers": layers(2),
        },
        video_vae={
            **VIDEO_VAE,
            "block_out_channels": tuple(vae_base * m for m in (1, 2, 4, 8)),
            "decoder_block_out_channels": tuple(vae_base * m for m in (1, 2, 4)),
            "layers_per_block": tuple(layers(n) for n in VIDEO_VAE["layers_per_block"]),
            "decoder_layers_per_block": tuple(
                layers(n) for n in VIDEO_VAE["decoder_layers_per_block"]
            ),
        },
        # base_channels stays: diffusers sizes the latents' mean/std buffers by it (8 x 16 mels).
        audio_vae={**AUDIO_VAE, "num_res_blocks": layers(2)},
        vocoder={
            **VOCODER,
            # Halved by each of the 5 upsampling stages.
            "hidden_channels": scaled(1024, scale, minimum=32, multiple=32),
        },
        gemma_text={
            **GEMMA3_TEXT,
            "vocab_size": max(min_vocab, scaled(262208, scale)),
            "hidden_size": text_hidden,
            "intermediate_size": 4 * text_hidden,
            "num_hidden_layers": text_layers,
            "num_attention_heads": text_heads,
            "num_key_value_heads": max(1, text_heads // 2),
            "head_dim": head_dim(256),
            "query_pre_attn_scalar": head_dim(256),
        },
        gemma_vision={
            **GEMMA3_VISION,
            "hidden_size": heads(16) * head_dim(72),
            "intermediate_size": scaled(4304, scale, minimum=8, multiple=8),
            "num_hidden_layers": layers(27),
            "num_attention_heads": heads(16),
        },
    )


@contextmanager
def building_on(device: Any, dtype: Any) -> Iterator[None]:
    """New tensors land on `device` in `dtype`: random init happens there, nothing is copied."""
    import torch

    previous = torch.get_default_dtype()
    torch.set_default_dtype(dtype)
    try:
        with torch.device(device):
            yield
    finally:
        torch.set_default_dtype(previous)


def parameter_count(module: Any) -> int:
    return sum(p.numel() for p in module.parameters())


@dataclass
class Progress:
    """The report so far: every finished phase prints a line and rewrites --out."""

    out: Path | None
    report: dict[str, Any] = field(default_factory=dict)
    started: float = field(default_factory=time.perf_counter)

    def phase(self, phase: str, **fields: Any) -> None:
        elapsed = round(time.perf_counter() - self.started, 2)
        self.report.setdefault("phases_done", []).append(phase)
        line = json.dumps({"phase": phase, "elapsed_s": elapsed, **fields}, default=str)
        print(f"[generation_gpu] {line}", file=sys.stderr, flush=True)
        self.save()

    def save(self) -> None:
        if self.out is not None:
            self.out.parent.mkdir(parents=True, exist_ok=True)
            self.out.write_text(json.dumps(self.report, indent=2, default=str))


def gib(n_bytes: float) -> float:
    return round(n_bytes / 2**30, 2)


class Device:
    """The few device calls the benchmark needs, as no-ops where they don't apply (CPU)."""

    def __init__(self, name: str) -> None:
        import torch

        self.torch = torch
        self.device = torch.device(name)
        self.is_cuda = self.device.type == "cuda"

    def sync(self) -> None:
        if self.is_cuda:
            self.torch.cuda.synchronize(self.device)

    def empty_cache(self) -> None:
        import gc

        gc.collect()
        if self.is_cuda:
            self.torch.cuda.empty_cache()

    def reset_peak(self) -> None:
        if self.is_cuda:
            self.torch.cuda.reset_peak_memory_stats(self.device)

    def memory(self) -> dict[str, float]:
        if not self.is_cuda:
            return {}
        cuda = self.torch.cuda
        return {
            "allocated_gib": gib(cuda.memory_allocated(self.device)),
            "peak_allocated_gib": gib(cuda.max_memory_allocated(self.device)),
            "peak_reserved_gib": gib(cuda.max_memory_reserved(self.device)),
        }

    def describe(self) -> dict[str, Any]:
        torch = self.torch
        info: dict[str, Any] = {"device": str(self.device), "torch": torch.__version__}
        if self.is_cuda:
            props = torch.cuda.get_device_properties(self.device)
            info |= {
                "name": props.name,
                "total_memory_gib": gib(props.total_memory),
                "cuda": torch.version.cuda,
            }
        else:
            info["threads"] = torch.get_num_threads()
        return info


def build_pipeline(
    configs: ModelConfigs, device: Device, dtype: Any, progress: Progress
) -> tuple[Any, dict[str, Any]]:
    """Every LTX2Pipeline module at `configs` sizes, random weights made on the device."""
    import torch
    from diffusers.models.autoencoders.autoencoder_kl_ltx2 import AutoencoderKLLTX2Video
    from diffusers.models.autoencoders.autoencoder_kl_ltx2_audio import AutoencoderKLLTX2Audio
    from diffusers.models.transformers.transformer_ltx2 import LTX2VideoTransformer3DModel
    from diffusers.pipelines.ltx2.connectors import LTX2TextConnectors
    from diffusers.pipelines.ltx2.pipeline_ltx2 import LTX2Pipeline
    from diffusers.pipelines.ltx2.vocoder import LTX2Vocoder
    from diffusers.schedulers.scheduling_flow_match_euler_discrete import (
        FlowMatchEulerDiscreteScheduler,
    )
    from transformers import Gemma3Config, Gemma3ForConditionalGeneration

    from generation.backends.tiny import build_tokenizer

    tokenizer = build_tokenizer()
    factories: dict[str, Callable[[], torch.nn.Module]] = {
        "transformer": lambda: LTX2VideoTransformer3DModel(**configs.transformer),
        "text_encoder": lambda: Gemma3ForConditionalGeneration(
            Gemma3Config(
                text_config=configs.gemma_text,
                vision_config=configs.gemma_vision,
                mm_tokens_per_image=GEMMA3_MM_TOKENS_PER_IMAGE,
            )
        ),
        "connectors": lambda: LTX2TextConnectors(**configs.connectors),
        "vae": lambda: AutoencoderKLLTX2Video(**configs.video_vae),
        "audio_vae": lambda: AutoencoderKLLTX2Audio(**configs.audio_vae),
        "vocoder": lambda: LTX2Vocoder(**configs.vocoder),
    }
    modules: dict[str, Any] = {}
    build: dict[str, Any] = {"seconds": {}, "parameters": {}}
    torch.manual_seed(0)
    for name, factory in factories.items():
        t0 = time.perf_counter()
        with building_on(device.device, dtype):
            module = factory().eval()
        device.sync()
        modules[name] = module
        build["seconds"][name] = round(time.perf_counter() - t0, 3)
        build["parameters"][name] = parameter_count(module)
        progress.report["build"] = build
        progress.phase(
            f"build_{name}",
            seconds=build["seconds"][name],
            parameters=build["parameters"][name],
            **device.memory(),
        )
    pipeline = LTX2Pipeline(
        scheduler=FlowMatchEulerDiscreteScheduler(**SCHEDULER),
        tokenizer=tokenizer,
        **modules,
    )
    pipeline.to(device.device)  # a no-op for the weights; catches any stray CPU buffer
    pipeline.set_progress_bar_config(disable=True)
    build["parameters"]["total"] = sum(build["parameters"][name] for name in factories)
    build["weights_gib"] = gib(
        sum(p.numel() * p.element_size() for m in modules.values() for p in m.parameters())
    )
    build["text_encoder_attention"] = modules["text_encoder"].config._attn_implementation
    return pipeline, build


def matmul_baseline(device: Device, dtype: Any, size: int, repeats: int) -> dict[str, Any]:
    """Achieved FLOP/s of one square matmul: the device's practical ceiling for this model."""
    torch = device.torch
    a = torch.randn(size, size, device=device.device, dtype=dtype)
    b = torch.randn(size, size, device=device.device, dtype=dtype)
    for _ in range(3):
        torch.matmul(a, b)
    device.sync()
    t0 = time.perf_counter()
    for _ in range(repeats):
        torch.matmul(a, b)
    device.sync()
    seconds = (time.perf_counter() - t0) / repeats
    flops = 2 * size**3
    return {
        "what": f"{dtype} matmul {size}x{size} @ {size}x{size}, mean of {repeats}",
        "seconds_per_matmul": round(seconds, 6),
        "tflops_per_s": round(flops / seconds / 1e12, 2),
        "flops_per_s": flops / seconds,
    }


class StageRecorder:
    """Records the backend's progress stages and, through module hooks, a finer split.

    Each timestamp is taken after a device sync, so it marks finished work, not queued work.
    The hooks mark the first call of each module in a job: text encoder, connectors, first
    transformer pass (denoising starts), video VAE decoder, audio VAE decoder.
    """

    HOOKED = {
        "text_encoder": "text_encoder",
        "connectors": "connectors",
        "transformer": "denoise",
        "vae.decoder": "video_decode",
        "audio_vae.decoder": "audio_decode",
    }
    # Backend stages no hook sees: before the text encoder, the vocoder, resize, done.
    FROM_PROGRESS = {
        "encode_prompt": "tokenize",
        "audio": "audio",
        "resize": "resize",
        "done": "done",
    }

    def __init__(self, pipeline: Any, device: Device) -> None:
        self._device = device
        self.progress_events: list[Event] = []
        self.fine_events: list[Event] = []
        self._seen: set[str] = set()
        self._handles: list[Any] = []
        for path, stage in self.HOOKED.items():
            module = pipeline
            for part in path.split("."):
                module = getattr(module, part)
            self._handles.append(module.register_forward_pre_hook(self._hook(stage)))

    def _now(self) -> float:
        self._device.sync()
        return time.perf_counter()

    def _hook(self, stage: str) -> Callable[..., None]:
        def mark(module: Any, args: Any) -> None:
            if stage not in self._seen:
                self._seen.add(stage)
                self.fine_events.append((self._now(), stage))

        return mark

    def start_job(self) -> None:
        self.progress_events.clear()
        self.fine_events.clear()
        self._seen.clear()

    def progress(self, fraction: float, stage: str) -> None:
        now = self._now()
        self.progress_events.append((now, stage))
        # The hooks mark the rest ("denoise" once, "decode" as the VAE decoder starts).
        if stage in self.FROM_PROGRESS:
            self.fine_events.append((now, self.FROM_PROGRESS[stage]))

    def step_seconds(self) -> list[float]:
        """Seconds of each denoising step after the first (from one step end to the next)."""
        ends = [t for t, stage in self.progress_events if stage == "denoise"]
        return [round(b - a, 4) for a, b in itertools.pairwise(ends)]

    def summary(self) -> dict[str, Any]:
        steps = self.step_seconds()
        fine = sorted(self.fine_events)
        return {
            "progress_stage_seconds": stage_seconds(self.progress_events),
            "stage_seconds": stage_seconds(fine),
            "total_seconds": round(fine[-1][0] - fine[0][0], 4) if fine else None,
            "step_seconds_median": round(statistics.median(steps), 4) if steps else None,
            "step_seconds": steps,
        }

    def close(self) -> None:
        for handle in self._handles:
            handle.remove()


def count_flops(backend: Any, spec: Any) -> dict[str, Any]:
    """FLOPs of one job, per top-level module (torch's FlopCounterMode)."""
    from torch.utils.flop_counter import FlopCounterMode

    counter = FlopCounterMode(display=False)
    with counter:
        backend.generate(spec)
    per_module: dict[str, int] = {}
    for name, ops in counter.get_flop_counts().items():
        if name != "Global" and "." not in name:
            per_module[name] = int(sum(ops.values()))
    return {"total": int(counter.get_total_flops()), "per_module": per_module}


def describe_job(backend: Any, spec: Any) -> dict[str, Any]:
    """The render grid the pipeline sees for `spec`, and its token counts."""
    from generation.backends.ltx2 import native_grid

    pipe = backend.pipeline
    grid = native_grid(
        spec, pipe.vae_spatial_compression_ratio, pipe.vae_temporal_compression_ratio
    )
    latent_frames = (grid.num_frames - 1) // pipe.vae_temporal_compression_ratio + 1
    latent_h = grid.height // pipe.vae_spatial_compression_ratio
    latent_w = grid.width // pipe.vae_spatial_compression_ratio
    audio_tokens_per_s = (
        pipe.audio_sampling_rate / pipe.audio_hop_length / pipe.audio_vae_temporal_compression_ratio
    )
    return {
        "output": f"{spec.width}x{spec.height}, {spec.num_frames} frames at {spec.fps} fps",
        "render_grid": f"{grid.width}x{grid.height}, {grid.num_frames} frames",
        "video_tokens": latent_frames * latent_h * latent_w,
        "audio_tokens": round(grid.num_frames / grid.frame_rate * audio_tokens_per_s),
        "text_tokens": 1024,  # LTX2Pipeline's max_sequence_length: prompts are padded to it
    }


def run(args: argparse.Namespace, progress: Progress) -> None:
    report = progress.report
    t_start = time.perf_counter()
    import torch
    from diffusers.pipelines.ltx2.pipeline_ltx2 import LTX2Pipeline

    from generation.backends.base import GenerationSpec
    from generation.backends.ltx2 import LTX2Backend

    dtype = getattr(torch, args.dtype)
    device = Device(args.device)
    default_steps = inspect.signature(LTX2Pipeline.__call__).parameters["num_inference_steps"]
    steps = args.steps or int(default_steps.default)
    report["device"] = device.describe()
    report["import_seconds"] = round(time.perf_counter() - t_start, 3)
    progress.phase("imports", **report["device"])

    report["baseline"] = matmul_baseline(
        device, dtype, args.matmul_size or (8192 if device.is_cuda else 1024), repeats=20
    )
    progress.phase("baseline_matmul", **report["baseline"])

    tokenizer_size = 261  # generation.backends.tiny.build_tokenizer: 5 special + 256 bytes
    configs = model_configs(args.scale, tokenizer_size)
    report["scale"] = args.scale
    t0 = time.perf_counter()
    call_options: dict[str, Any] = {}
    if args.smoke:  # the tiny model: the same classes and code path, in seconds on a CPU
        from generation.backends.tiny import build_tiny_backend

        backend = build_tiny_backend(device=args.device)
        pipeline = backend.pipeline
        build: dict[str, Any] = {"model": "tiny-ltx2 (smoke)",
                                 "weights_gib": gib(sum(p.numel() * p.element_size()
                                                        for p in pipeline.transformer
                                                        .parameters()))}
    else:
        report["configs"] = asdict(configs)
        pipeline, build = build_pipeline(configs, device, dtype, progress)
        # Full size: nothing but the pipeline's defaults. Scaled: STG on a block that exists.
        if args.scale < 1.0:
            call_options["spatio_temporal_guidance_blocks"] = [configs.stg_block]
        backend = LTX2Backend(pipeline, name="ltx2-random-weights", call_options=call_options)
    build["total_seconds"] = round(time.perf_counter() - t0, 3)
    build["memory_after_build"] = device.memory()
    report["build"] = build
    if args.vae_tiling:
        pipeline.vae.enable_tiling()
    progress.phase("build", seconds=build["total_seconds"], weights_gib=build["weights_gib"])

    width, height = (96, 160) if args.smoke else (JOB_WIDTH, JOB_HEIGHT)
    spec_args: dict[str, Any] = {
        "prompt": PROMPT,
        "negative_prompt": "blurry, low quality, still frame",
        "width": width,
        "height": height,
        "num_frames": round(args.seconds * JOB_FPS),
        "fps": JOB_FPS,
        "with_audio": True,
        "seed": 0,
    }
    spec = GenerationSpec(**spec_args, num_inference_steps=steps)
    report["job"] = {
        **{k: v for k, v in spec_args.items() if k not in ("prompt", "negative_prompt")},
        "seconds": args.seconds,
        "num_inference_steps": steps,
        "guidance": "tiny: guidance off (smoke)" if args.smoke else
        "LTX2Pipeline defaults: CFG 3, STG 1, modality 3 (audio: CFG 7, STG 1,"
        f" modality 3), rescale 0.7; STG on block {configs.stg_block}",
        "call_options": call_options,
        "vae_tiling": args.vae_tiling,
        **({} if args.smoke else describe_job(backend, spec)),
    }
    progress.save()

    recorder = StageRecorder(pipeline, device)
    warmup_steps = max(MIN_STEPS, args.warmup_steps)
    report["warmup"] = timed_generate(
        backend, GenerationSpec(**spec_args, num_inference_steps=warmup_steps), recorder, device
    )
    progress.phase("warmup", seconds=report["warmup"]["seconds"])

    # Guard for the device budget: fewer steps rather than a job cut off by the time limit.
    estimate = estimate_seconds(report["warmup"], warmup_steps, steps)
    if estimate is not None and estimate > args.max_job_seconds:
        per_step = report["warmup"]["step_seconds_median"]
        fixed = estimate - steps * per_step
        fitted = max(MIN_STEPS, int((args.max_job_seconds - fixed) / per_step))
        report["job"] |= {"num_inference_steps": fitted, "steps_reduced_from": steps}
        steps = fitted
        spec = GenerationSpec(**spec_args, num_inference_steps=steps)
        progress.phase("steps_reduced", estimate_s=round(estimate, 1), steps=steps)

    if not args.no_flops:
        t0 = time.perf_counter()
        try:
            counted = count_flops(
                backend, GenerationSpec(**spec_args, num_inference_steps=FLOP_COUNT_STEPS)
            )
            report["flops_counted_job"] = counted | {
                "steps": FLOP_COUNT_STEPS,
                "seconds": round(time.perf_counter() - t0, 3),
            }
        except Exception as error:  # counting is a bonus; the timing goes on without it
            report["flops_counted_job"] = {"error": f"{type(error).__name__}: {error}"}
        progress.phase("flop_count", seconds=round(time.perf_counter() - t0, 3))

    device.reset_peak()
    report["timed_job"] = timed_generate(backend, spec, recorder, device, keep_output=True)
    report["ratios"] = speed_of_light(report, steps, report["timed_job"]["seconds"])
    report["notes"] = NOTES
    progress.phase(
        "timed_job", seconds=report["timed_job"]["seconds"], **report["timed_job"]["memory"]
    )
    measure_options(args, progress, backend, spec, recorder, device, t_start)
    recorder.close()
    report["summary"] = summary(report)


def measure_options(args: argparse.Namespace, progress: Progress, backend: Any, spec: Any,
                    recorder: StageRecorder, device: Device, t_start: float) -> None:
    """Each step option alone and together, batching, 720p, the long job, the capped card
    (bench/gpu_plan.py), within --budget-s of the script's start."""
    from dataclasses import replace

    from gpu_plan import Context, Measure, Plan, capped, long_job, with_options

    from generation.backends.acceleration import StepOptions

    report = progress.report
    flops = report.get("flops_counted_job", {})
    per_step = (flops.get("per_module", {}).get("LTX2VideoTransformer3DModel", 0)
                / flops["steps"]) if flops.get("per_module") else None
    ctx = Context(backend=backend, spec=spec, device=device, recorder=recorder,
                  transformer_flops_per_step=per_step,
                  matmul_flops_per_s=report["baseline"]["flops_per_s"],
                  plain_seconds=report["timed_job"]["seconds"])
    # The plain job, in the same shape as every variant's figures (the baseline of the ratios).
    plan = Plan(ctx=ctx, progress=progress, budget_s=args.budget_s, started=t_start,
                smoke=args.smoke)
    compile_backend = "aot_eager" if args.smoke else "inductor"
    hd = (160, 288) if args.smoke else (720, 1280)
    spec_720 = replace(spec, width=hd[0], height=hd[1])
    tokens_720 = (hd[0] * hd[1]) / (spec.width * spec.height)
    tiled = StepOptions(vae_tiling=True)
    best_attention: list[str] = ["native"]

    def attention(name: str) -> Measure:
        def run() -> dict[str, Any]:
            out = with_options(ctx, StepOptions(attention=name), spec)
            plain = plan.results.get("plain_480p", {}).get("seconds")
            if plain and out.get("seconds") and out["seconds"] < plain and \
                    out["applied"].get("attention", "").startswith("applied"):
                best_attention[0] = name
            return out
        return Measure(f"attention_{name.strip('_')}", lambda x: x + 5, run)

    def together(target: Any, tokens: float) -> dict[str, Any]:
        options = StepOptions(compile_mode="default", compile_backend=compile_backend,
                              attention=best_attention[0], fp8=args.fp8_together,
                              vae_tiling=target.width * target.height > spec.width * spec.height)
        return with_options(ctx, options, target, tokens_ratio=tokens)

    measures = [
        Measure("plain_480p", lambda x: x + 2, lambda: ctx.job(spec)),
        attention("_native_cudnn"),
        Measure("compile", lambda x: 1.5 * x + 90, lambda: with_options(
            ctx, StepOptions(compile_mode="default", compile_backend=compile_backend), spec),
            compiles=True),
        Measure(f"batch_{args.batch}", lambda x: args.batch * x + 5,
                lambda: ctx.job(spec, batch=args.batch)),
        Measure("plain_720p", lambda x: 4 * x + 10, lambda: with_options(
            ctx, tiled, spec_720, tokens_ratio=tokens_720)),
        Measure(f"long_{args.long_seconds}s_720p", lambda x: 12 * x + 60, lambda: long_job(
            ctx, replace(spec_720, with_audio=True), seconds=args.long_seconds,
            segment_seconds=args.segment_seconds, steps=2,
            segments=args.long_segments)),
        Measure("together_480p", lambda x: 2 * x + 120, lambda: together(spec, 1.0),
                compiles=True),
        Measure("together_720p", lambda x: 6 * x + 120,
                lambda: together(spec_720, tokens_720), compiles=True),
        Measure("reduce_overhead_cuda_graphs", lambda x: 1.5 * x + 150, lambda: with_options(
            ctx, StepOptions(compile_mode="reduce-overhead", compile_backend=compile_backend),
            spec), compiles=True),
        attention("_native_flash"),
        attention("_native_efficient"),
        attention("flash"),
        Measure("text_encoder_on_cpu", lambda x: x + 150, lambda: text_encoder_on_cpu(ctx)),
        Measure("fp8_torchao", lambda x: x + 60, lambda: with_options(
            ctx, StepOptions(fp8="torchao"), spec)),
        # For good from here: FP8 storage stays, then the capped card moves modules to the CPU.
        Measure("fp8_storage", lambda x: x + 10, lambda: with_options(
            ctx, StepOptions(fp8="storage"), spec, keep=True)),
        Measure(f"card_{args.cap_gib:g}gib", lambda x: 4 * x + 90, lambda: capped(
            ctx, StepOptions(fp8="" if "fp8_storage" in plan.results else "storage",
                             offload="model", vae_tiling=True), spec, args.cap_gib)),
    ]
    chosen = set(args.only.split(",")) if args.only else None
    for measure in measures:
        if chosen is None or measure.name in chosen:
            plan.go(measure)


def text_encoder_on_cpu(ctx: Any) -> dict[str, Any]:
    """The text encoder on the CPU: the GPU memory it frees, and what the job pays for it
    (moved back afterwards)."""
    from generation.backends.acceleration import StepOptions, apply_step_options

    pipeline = ctx.pipeline
    home = next(pipeline.transformer.parameters()).device
    encoder = pipeline.text_encoder
    hooks_before = (dict(encoder._forward_pre_hooks), dict(encoder._forward_hooks))
    applied = apply_step_options(pipeline, StepOptions(text_encoder_device="cpu"))
    ctx.device.empty_cache()
    try:
        return {"applied": applied, **ctx.job(ctx.spec)}
    finally:
        encoder._forward_pre_hooks.clear()
        encoder._forward_pre_hooks.update(hooks_before[0])
        encoder._forward_hooks.clear()
        encoder._forward_hooks.update(hooks_before[1])
        encoder.to(home)


def summary(report: dict[str, Any]) -> dict[str, Any]:
    """One line per measure: seconds, GPU-seconds per video second, step/ideal, peak GiB."""
    rows = {}
    for name, result in report.get("measures", {}).items():
        if "seconds" not in result:
            rows[name] = result.get("skipped") or result.get("error")
            continue
        memory = result.get("memory", {})
        rows[name] = {key: result.get(key) for key in (
            "seconds", "gpu_seconds_per_video_second", "step_seconds", "step_ratio_to_ideal",
            "compile_warmup_seconds") if result.get(key) is not None} | (
            {"peak_gib": memory["peak_allocated_gib"]} if "peak_allocated_gib" in memory
            else {})
    return rows


def timed_generate(
    backend: Any, spec: Any, recorder: StageRecorder, device: Device, *, keep_output: bool = False
) -> dict[str, Any]:
    """One `backend.generate` with its stage split, device memory and (optionally) output."""
    recorder.start_job()
    t0 = time.perf_counter()
    result = backend.generate(spec, recorder.progress)
    device.sync()
    timed: dict[str, Any] = {
        "steps": spec.num_inference_steps,
        "seconds": round(time.perf_counter() - t0, 3),
        **recorder.summary(),
        "memory": device.memory(),
    }
    if keep_output:
        audio = result.audio
        timed["output"] = {
            "frames": list(result.frames.shape),
            "audio": list(audio.shape) if audio is not None else None,
            "sample_rate": result.sample_rate,
            # Random weights: finite output says no stage overflowed, nothing more.
            "audio_finite": bool(audio is None or math.isfinite(float(audio.sum()))),
        }
    return timed


def estimate_seconds(warmup: dict[str, Any], warmup_steps: int, steps: int) -> float | None:
    """The warm-up job's time with `steps` steps instead of its own (an upper bound: cold)."""
    per_step = warmup.get("step_seconds_median")
    if not per_step:
        return None
    fixed = float(warmup["seconds"]) - warmup_steps * per_step
    return fixed + steps * per_step


def speed_of_light(report: dict[str, Any], steps: int, seconds: float) -> dict[str, Any]:
    """The timed job against its FLOPs at the matmul baseline's rate (1.0 = the ceiling)."""
    flops = report.get("flops_counted_job", {})
    per_module = flops.get("per_module")
    if not per_module:
        return {}
    rate = report["baseline"]["flops_per_s"]
    transformer_step = per_module.get("LTX2VideoTransformer3DModel", 0) / flops["steps"]
    job_flops = flops["total"] + (steps - flops["steps"]) * transformer_step
    timed = report["timed_job"]
    denoise_seconds = timed["stage_seconds"].get("denoise")
    ideal_denoise = steps * transformer_step / rate
    return {
        "job_tflops": round(job_flops / 1e12, 1),
        "transformer_tflops_per_step": round(transformer_step / 1e12, 2),
        "ideal_job_seconds_at_matmul_rate": round(job_flops / rate, 3),
        "ratio_job_to_ideal": round(seconds / (job_flops / rate), 2),
        "ideal_denoise_seconds_at_matmul_rate": round(ideal_denoise, 3),
        "ratio_denoise_to_ideal": (
            round(denoise_seconds / ideal_denoise, 2) if denoise_seconds and ideal_denoise else None
        ),
        "achieved_denoise_tflops_per_s": (
            round(steps * transformer_step / denoise_seconds / 1e12, 1) if denoise_seconds else None
        ),
    }


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--device", default="cuda")
    parser.add_argument("--dtype", default="bfloat16", choices=["bfloat16", "float16", "float32"])
    parser.add_argument(
        "--scale", type=float, default=1.0, help="shrink every width and layer count (CPU smoke)"
    )
    parser.add_argument("--steps", type=int, default=None, help="default: LTX2Pipeline's (30)")
    parser.add_argument("--warmup-steps", type=int, default=MIN_STEPS)
    parser.add_argument("--seconds", type=float, default=JOB_SECONDS, help="video duration")
    parser.add_argument("--vae-tiling", action="store_true", help="tiled VAE decode")
    parser.add_argument("--no-flops", action="store_true", help="skip the 2-step FLOP count")
    parser.add_argument("--matmul-size", type=int, default=None, help="default 8192 (GPU)")
    parser.add_argument(
        "--max-job-seconds",
        type=float,
        default=240.0,
        help="if the warm-up says the timed job would take longer, run fewer steps",
    )
    parser.add_argument("--out", type=Path, default=None, help="also write the JSON here")
    parser.add_argument("--smoke", action="store_true",
                        help="CPU check that the script runs: the tiny model, every measure")
    parser.add_argument("--budget-s", type=float, default=None,
                        help="skip measures whose estimate passes this many seconds of the run"
                        " (default 420; --smoke: none, every measure runs)")
    parser.add_argument("--only", default="", help="comma-separated measure names to run")
    parser.add_argument("--batch", type=int, default=3, help="jobs in the batching measure")
    parser.add_argument("--cap-gib", type=float, default=24.0, help="the small card's memory")
    parser.add_argument("--long-seconds", type=int, default=60)
    parser.add_argument("--segment-seconds", type=int, default=20)
    parser.add_argument("--long-segments", type=int, default=2,
                        help="segments of the long job made (memory is bounded by one; the "
                        "second is the first conditioned one): 0 for all")
    parser.add_argument("--fp8-together", default="", choices=["", "torchao"],
                        help="add torchao FP8 to the 'together' measures")
    return parser.parse_args(argv)


def _interrupt(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


def main() -> None:
    args = parse_args()
    args.budget_s = args.budget_s or (None if args.smoke else 420.0)
    if args.smoke:
        args.device, args.steps, args.seconds = "cpu", args.steps or 2, 2.0
        args.no_flops, args.matmul_size = False, args.matmul_size or 256
        args.budget_s = args.budget_s or float("inf")
        args.long_seconds, args.segment_seconds = 6, 2
    signal.signal(signal.SIGTERM, _interrupt)  # `timeout`: report what was measured, then exit
    progress = Progress(out=args.out, report={"benchmark": BENCHMARK})
    try:
        run(args, progress)
    except BaseException as error:  # a benchmark reports failures, it never crashes
        progress.report["error"] = f"{type(error).__name__}: {error}"
        progress.report["traceback"] = traceback.format_exc(limit=8)
        if not isinstance(error, Exception):  # KeyboardInterrupt, SystemExit: keep the data
            progress.report["interrupted"] = True
    progress.report["wall_seconds"] = round(time.perf_counter() - progress.started, 2)
    progress.save()
    # One line: the device tool returns only the tail of the output; --out has it indented.
    print(json.dumps(progress.report, default=str), flush=True)


if __name__ == "__main__":
    main()
