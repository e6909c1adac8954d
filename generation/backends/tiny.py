"""The embedded default: a tiny LTX-2 pipeline built in code, random weights from fixed seeds.

Same classes as production (Gemma 3 text encoder, LTX-2 transformer, video/audio VAEs, vocoder),
so the real code path runs on a CPU core in seconds. Its output is noise. Attention cost grows
with the square of latent tokens, so it renders a small latent grid (32x spatial, 2x temporal
VAE compression, a few latent frames) and the backend resizes and retimes the result.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any, TypeVar

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
from transformers import Gemma3Config, Gemma3ForConditionalGeneration, GemmaTokenizer

from generation.backends.ltx2 import LTX2Backend, RenderGrid

if TYPE_CHECKING:
    from collections.abc import Callable

    from generation.backends.base import GenerationSpec

T = TypeVar("T")
TEXT_HIDDEN_SIZE = 32
TEXT_LAYERS = 2
SAMPLE_RATE = 16000
MEL_HOP_LENGTH = 160
# Latent-grid budget: short side 2 tokens, long side at most 4, about 2 latent frames a second.
SHORT_SIDE_PX = 64
MAX_LONG_SIDE_PX = 128
LATENT_FRAMES_PER_SECOND = 2
MAX_LATENT_FRAMES = 16
# Guidance off (one transformer pass per step) and short prompts keep it fast; output is noise.
TINY_CALL_OPTIONS = {
    "guidance_scale": 1.0,
    "stg_scale": 0.0,
    "modality_scale": 1.0,
    "guidance_rescale": 0.0,
    "audio_guidance_scale": 1.0,
    "audio_stg_scale": 0.0,
    "audio_modality_scale": 1.0,
    "audio_guidance_rescale": 0.0,
    "spatio_temporal_guidance_blocks": None,
    "max_sequence_length": 32,
}


def build_tokenizer() -> GemmaTokenizer:
    """Byte-level Gemma tokenizer: special tokens plus the 256 byte-fallback tokens."""
    vocab = {"<pad>": 0, "<eos>": 1, "<bos>": 2, "<unk>": 3, "<mask>": 4}
    for byte in range(256):
        vocab[f"<0x{byte:02X}>"] = len(vocab)
    return GemmaTokenizer(vocab=vocab, merges=[])


def _seeded(seed: int, build: Callable[..., T], *args: Any, **config: Any) -> T:
    """build(*args, **config) with torch's generator reset to `seed` first: each component's
    random weights depend on the seed alone, not on what was built before it."""
    torch.manual_seed(seed)
    return build(*args, **config)


def build_tiny_pipeline(seed: int = 0) -> LTX2Pipeline:
    """Build the tiny pipeline; the same seed always gives the same weights."""
    tokenizer = build_tokenizer()
    text_config = Gemma3Config(
        text_config={
            "vocab_size": len(tokenizer),
            "hidden_size": TEXT_HIDDEN_SIZE,
            "intermediate_size": 64,
            "num_hidden_layers": TEXT_LAYERS,
            "num_attention_heads": 4,
            "num_key_value_heads": 1,
            "head_dim": 8,
            "max_position_embeddings": 256,
            "sliding_window": 16,
        },
        vision_config={
            "hidden_size": 16,
            "intermediate_size": 32,
            "num_hidden_layers": 1,
            "num_attention_heads": 2,
            "image_size": 28,
            "patch_size": 14,
        },
        mm_tokens_per_image=4,
    )
    text_encoder = _seeded(seed, Gemma3ForConditionalGeneration, text_config)
    connectors = _seeded(
        seed, LTX2TextConnectors,
        caption_channels=TEXT_HIDDEN_SIZE, text_proj_in_factor=TEXT_LAYERS + 1,
        video_connector_num_attention_heads=4, video_connector_attention_head_dim=8,
        video_connector_num_layers=1, video_connector_num_learnable_registers=None,
        audio_connector_num_attention_heads=4, audio_connector_attention_head_dim=8,
        audio_connector_num_layers=1, audio_connector_num_learnable_registers=None,
        connector_rope_base_seq_len=32, rope_double_precision=False, rope_type="split")
    transformer = _seeded(
        seed, LTX2VideoTransformer3DModel,
        in_channels=4, out_channels=4, patch_size=1, patch_size_t=1,
        num_attention_heads=2, attention_head_dim=8, cross_attention_dim=16,
        audio_in_channels=4, audio_out_channels=4,
        audio_num_attention_heads=2, audio_attention_head_dim=4, audio_cross_attention_dim=8,
        num_layers=2, qk_norm="rms_norm_across_heads", caption_channels=TEXT_HIDDEN_SIZE,
        rope_double_precision=False, rope_type="split")
    # 16x16 patches plus one 2x stage: 32x spatial, 2x temporal compression.
    vae = _seeded(
        seed, AutoencoderKLLTX2Video,
        latent_channels=4, patch_size=16, patch_size_t=1,
        block_out_channels=(8,), layers_per_block=(1,), spatio_temporal_scaling=(True,),
        downsample_type=("spatial",),
        decoder_block_out_channels=(8,), decoder_layers_per_block=(1, 1),
        decoder_spatio_temporal_scaling=(True,), decoder_inject_noise=(False, False),
        upsample_residual=(False,), upsample_factor=(1,), decoder_causal=False,
        # Reflect padding needs 2+ latent pixels per side; the grid may have only 1.
        decoder_spatial_padding_mode="zeros")
    audio_vae = _seeded(
        seed, AutoencoderKLLTX2Audio,
        in_channels=2, output_channels=2, latent_channels=2, base_channels=4, ch_mult=(1,),
        num_res_blocks=1, attn_resolutions=None, mid_block_add_attention=False, dropout=0.0,
        resolution=32, norm_type="pixel", causality_axis="height", is_causal=True,
        sample_rate=SAMPLE_RATE, mel_hop_length=MEL_HOP_LENGTH, mel_bins=8)
    # Upsampling by 8*5*4 = the mel hop length, so the waveform spans the video's duration.
    vocoder = _seeded(
        seed, LTX2Vocoder,
        in_channels=2 * 8, hidden_channels=32, out_channels=2, output_sampling_rate=SAMPLE_RATE,
        upsample_kernel_sizes=[16, 10, 8], upsample_factors=[8, 5, 4],
        resnet_kernel_sizes=[3], resnet_dilations=[[1, 3, 5]])
    pipeline = LTX2Pipeline(
        scheduler=FlowMatchEulerDiscreteScheduler(),
        vae=vae,
        audio_vae=audio_vae,
        text_encoder=text_encoder,
        tokenizer=tokenizer,
        connectors=connectors,
        transformer=transformer,
        vocoder=vocoder,
    )
    # Freshly built modules start in training mode; loaded ones (from_pretrained) are in eval mode.
    for module in pipeline.components.values():
        if isinstance(module, torch.nn.Module):
            module.eval()
    pipeline.set_progress_bar_config(disable=True)
    return pipeline


def tiny_grid(spec: GenerationSpec, spatial: int, temporal: int) -> RenderGrid:
    """A few latent tokens in the spec's rough aspect, spanning the spec's duration."""
    aspect = spec.width / spec.height
    long_side = min(
        MAX_LONG_SIDE_PX,
        max(SHORT_SIDE_PX, round(SHORT_SIDE_PX * max(aspect, 1 / aspect) / spatial) * spatial),
    )
    width, height = (long_side, SHORT_SIDE_PX) if aspect >= 1 else (SHORT_SIDE_PX, long_side)
    latent_frames = min(
        MAX_LATENT_FRAMES, max(1, math.ceil(spec.duration * LATENT_FRAMES_PER_SECOND))
    )
    num_frames = (latent_frames - 1) * temporal + 1
    # Playing the few frames at this rate makes them (and the audio) last exactly the duration.
    return RenderGrid(width, height, num_frames, num_frames / spec.duration)


def build_tiny_backend(device: str = "cpu", seed: int = 0) -> LTX2Backend:
    pipeline = build_tiny_pipeline(seed).to(device)
    return LTX2Backend(pipeline, name="tiny-ltx2", grid=tiny_grid, call_options=TINY_CALL_OPTIONS)
