"""Faster denoising steps, each switched on alone by a setting (README, "GPU step settings").

Every option either applies or does nothing with a logged reason (no CUDA, a package missing,
a backend the install lacks), so one configuration runs on a laptop's CPU and on an H200. What
was done is returned as `{option: "applied ..." | "skipped: why"}`; `bench/generation_gpu.py`
records it beside each measurement.

- compile: `torch.compile` of the transformer's blocks (the step's work). "reduce-overhead"
  also records CUDA graphs, which pay only for fixed shapes (one render grid per worker).
- vae_tiling: the video VAE decodes in spatial tiles and a few latent frames at a time.
- attention: a torch SDPA kernel or an installed flash/sage package, through diffusers'
  attention dispatcher; backends that would download a kernel ("*_hub") are refused.
- fp8: "storage" keeps transformer weights in float8 and computes in bf16 (diffusers' layerwise
  casting: half the weight memory, no speed-up); "torchao" quantises the transformer's linear
  layers to float8 weights and activations (faster matmuls on Hopper) when torchao is
  importable. It is not a dependency of this project: install it on GPU workers to use it.
- text_encoder_device: where the text encoder lives ("cpu" frees its GPU memory for the step:
  it runs once a job; its inputs and outputs cross devices through hooks). The VAEs stay where
  the pipeline is (diffusers takes the pipeline's device from them); "offload" moves them.
- offload: "model" (diffusers' model CPU offload: one module on the GPU at a time) or "group"
  (the transformer's blocks streamed to the GPU as they run), for small cards.
"""

from __future__ import annotations

import importlib.util
import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import torch

logger = logging.getLogger(__name__)

COMPILE_MODES = ("", "default", "max-autotune-no-cudagraphs", "max-autotune", "reduce-overhead")
FP8_MODES = ("", "storage", "torchao")
OFFLOAD_MODES = ("", "model", "group")
# Names of diffusers' AttentionBackendName that run without fetching anything, and the package
# each needs (None: torch itself).
ATTENTION_BACKENDS: dict[str, str | None] = {
    "native": None,
    "_native_flash": None,
    "_native_efficient": None,
    "_native_cudnn": None,
    "_native_math": None,
    "flex": None,
    "flash": "flash_attn",
    "_flash_3": "flash_attn_interface",
    "sage": "sageattention",
    "xformers": "xformers",
}
# SDPA kernels torch has only on CUDA.
_CUDA_ONLY_ATTENTION = ("_native_flash", "_native_efficient", "_native_cudnn", "flex")


@dataclass(frozen=True)
class StepOptions:
    """How the denoising step runs; the defaults are the plain pipeline."""

    compile_mode: str = ""
    compile_backend: str = "inductor"  # torch.compile's backend ("aot_eager": trace only)
    attention: str = ""
    fp8: str = ""
    text_encoder_device: str = ""  # "": with the rest of the pipeline
    offload: str = ""
    vae_tiling: bool = False

    def __post_init__(self) -> None:
        for value, allowed, name in ((self.compile_mode, COMPILE_MODES, "compile_mode"),
                                     (self.fp8, FP8_MODES, "fp8"),
                                     (self.offload, OFFLOAD_MODES, "offload")):
            if value not in allowed:
                raise ValueError(f"{name} must be one of {allowed}, got {value!r}")
        if self.attention and self.attention not in ATTENTION_BACKENDS:
            raise ValueError(f"attention must be one of {sorted(ATTENTION_BACKENDS)}, "
                             f"got {self.attention!r}")

    @property
    def is_plain(self) -> bool:
        return self == StepOptions()


Applied = dict[str, str]


def _device_of(pipeline: Any) -> torch.device:
    return next(pipeline.transformer.parameters()).device  # type: ignore[no-any-return]


def _has_package(name: str) -> bool:
    return importlib.util.find_spec(name) is not None


def _skip(applied: Applied, option: str, reason: str) -> None:
    applied[option] = f"skipped: {reason}"
    logger.warning("generation step option skipped", extra={"option": option, "reason": reason})


def _apply_attention(pipeline: Any, backend: str, applied: Applied) -> None:
    package = ATTENTION_BACKENDS[backend]
    cuda = _device_of(pipeline).type == "cuda"
    if package is not None and not _has_package(package):
        _skip(applied, "attention", f"{backend} needs the {package} package")
    elif backend in _CUDA_ONLY_ATTENTION and not cuda:
        _skip(applied, "attention", f"{backend} runs on CUDA only")
    else:
        pipeline.transformer.set_attention_backend(backend)
        applied["attention"] = f"applied {backend}"


def _apply_fp8(pipeline: Any, mode: str, applied: Applied) -> None:
    import torch

    transformer = pipeline.transformer
    if mode == "storage":
        # Norms, embeddings and the output projection stay in the compute dtype (diffusers'
        # default skip list), where float8 rounding would show most.
        compute = next(transformer.parameters()).dtype
        transformer.enable_layerwise_casting(storage_dtype=torch.float8_e4m3fn,
                                             compute_dtype=compute)
        applied["fp8"] = f"applied storage float8_e4m3fn, compute {compute}"
        return
    if not _has_package("torchao"):
        _skip(applied, "fp8", "torchao is not installed")
        return
    if _device_of(pipeline).type != "cuda" or torch.cuda.get_device_capability()[0] < 9:
        _skip(applied, "fp8", "float8 matmuls need a CUDA card of compute capability 8.9+")
        return
    from torchao.quantization import (  # type: ignore[import-not-found]
        Float8DynamicActivationFloat8WeightConfig,
        PerRow,
        quantize_,
    )

    quantize_(transformer, Float8DynamicActivationFloat8WeightConfig(granularity=PerRow()))
    applied["fp8"] = "applied torchao float8 dynamic activation + weight, per row"


def _moved(value: Any, device: torch.device) -> Any:
    """Tensors inside `value` (tuples, lists, dicts, diffusers/transformers outputs) on
    `device`."""
    import torch

    if isinstance(value, torch.Tensor):
        return value.to(device)
    if isinstance(value, dict):  # ModelOutput is an OrderedDict: moved field by field
        for key in list(value.keys()):
            value[key] = _moved(value[key], device)
        return value
    if isinstance(value, tuple | list):
        return type(value)(_moved(item, device) for item in value)
    return value


def _place_text_encoder(pipeline: Any, device_name: str, applied: Applied) -> None:
    import torch

    home = _device_of(pipeline)
    device = torch.device(device_name)
    encoder = pipeline.text_encoder.to(device)
    if device != home:
        encoder.register_forward_pre_hook(
            lambda _m, args, kwargs: (_moved(args, device), _moved(kwargs, device)),
            with_kwargs=True)
        encoder.register_forward_hook(lambda _m, _args, output: _moved(output, home))
    applied["text_encoder_device"] = f"applied {device}"


def _apply_offload(pipeline: Any, mode: str, applied: Applied) -> None:
    import torch

    device = _device_of(pipeline)
    if device.type != "cuda":
        _skip(applied, "offload", "offload moves modules to a GPU; this pipeline runs on "
              f"{device.type}")
        return
    if mode == "model":
        pipeline.to("cpu")
        pipeline.enable_model_cpu_offload(device=device)
        applied["offload"] = "applied model CPU offload"
        return
    # The transformer streams its blocks in on a side stream; the rest stays on the GPU.
    pipeline.transformer.to("cpu")
    pipeline.transformer.enable_group_offload(
        onload_device=device, offload_device=torch.device("cpu"), offload_type="block_level",
        num_blocks_per_group=1, use_stream=True)
    applied["offload"] = "applied group offload of the transformer (block level, stream)"


def _apply_compile(pipeline: Any, mode: str, backend: str, applied: Applied) -> None:
    device = _device_of(pipeline)
    if mode in ("reduce-overhead", "max-autotune") and device.type != "cuda":
        mode = "default"  # CUDA graphs need CUDA; the rest of the compile still applies
        applied["compile_note"] = "CUDA graphs skipped: not on CUDA"
    # Modes are inductor's; other backends take none. fullgraph=False: diffusers' hooks
    # (offload, casting) may break the graph, which is fine.
    inductor_mode = None if mode == "default" or backend != "inductor" else mode
    # Regional compilation: the 48 identical blocks share one compiled graph (seconds to
    # compile instead of minutes for the whole model, the same kernels per block).
    pipeline.transformer.compile_repeated_blocks(backend=backend, mode=inductor_mode,
                                                 dynamic=False)
    applied["compile_mode"] = (f"applied torch.compile of each transformer block, "
                               f"backend={backend} mode={mode}")


def apply_step_options(pipeline: Any, options: StepOptions) -> Applied:
    """Apply `options` to an LTX-2 pipeline in place (once, before its first job).

    Order matters: quantise before compiling (the compiled graph holds the quantised kernels),
    place and offload before compiling (hooks are traced once)."""
    applied: Applied = {}
    if options.attention:
        _apply_attention(pipeline, options.attention, applied)
    if options.fp8:
        _apply_fp8(pipeline, options.fp8, applied)
    if options.vae_tiling:
        # Spatial tiles and a few latent frames at a time: a long 720p decode's activations
        # are bounded by the tile, not the clip (tile seams blended by diffusers).
        pipeline.vae.enable_tiling()
        pipeline.vae.use_framewise_decoding = True
        applied["vae_tiling"] = "applied"
    if options.text_encoder_device:
        _place_text_encoder(pipeline, options.text_encoder_device, applied)
    if options.offload:
        _apply_offload(pipeline, options.offload, applied)
    if options.compile_mode:
        _apply_compile(pipeline, options.compile_mode, options.compile_backend, applied)
    if applied:
        logger.info("generation step options", extra={"applied": applied})
    return applied
