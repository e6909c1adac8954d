"""What people do to videos they find: the attacks the invisible watermark must survive
(shared by the watermark tests and bench/watermark.py)."""

import io
from fractions import Fraction

import av
import cv2
import numpy as np

from generation.backends.base import GenerationResult
from generation.media import encode_frames
from generation.provenance import audio_mark
from generation.provenance.media import read_frames


def reencode(frames: np.ndarray, fps: float = 24, crf: int = 28, preset: str = "veryfast"
             ) -> np.ndarray:
    buffer = io.BytesIO()
    encode_frames(frames, fps, buffer, crf=crf, preset=preset)
    return read_frames(buffer.getvalue())[0]


def downscale(frames: np.ndarray) -> np.ndarray:
    h, w = frames.shape[1] // 2, frames.shape[2] // 2
    return np.stack([cv2.resize(f, (w, h), interpolation=cv2.INTER_AREA) for f in frames])


def crop10(frames: np.ndarray) -> np.ndarray:
    """Keep the central 90% x 90% at its smaller size."""
    h, w = frames.shape[1:3]
    return np.ascontiguousarray(frames[:, h // 20 : h - h // 20, w // 20 : w - w // 20])


def brightness_contrast(frames: np.ndarray) -> np.ndarray:
    return np.clip(frames.astype(np.float32) * 1.15 + 12, 0, 255).astype(np.uint8)


def aac_again(mono: np.ndarray, rate: int = 44100, bit_rate: int = 64000) -> np.ndarray:
    """What a re-upload does: resampled to 44.1 kHz and squeezed to 64 kbit/s AAC."""
    buffer = io.BytesIO()
    with av.open(buffer, "w", format="mp4") as container:
        stream = container.add_stream("aac", rate=rate, layout="mono")
        stream.bit_rate = bit_rate
        frame = av.AudioFrame.from_ndarray(mono[None].astype(np.float32), format="fltp",
                                           layout="mono")
        frame.sample_rate, frame.pts = audio_mark.RATE, 0
        frame.time_base = Fraction(1, audio_mark.RATE)
        resampler = av.AudioResampler(format="fltp", layout="mono", rate=rate)
        for chunk in [*resampler.resample(frame), *resampler.resample(None)]:
            for packet in stream.encode(chunk):
                container.mux(packet)
        for packet in stream.encode(None):
            container.mux(packet)
    again = audio_mark.decode_mono(buffer.getvalue())
    if again is None:
        raise ValueError("the re-encoded audio did not decode")
    return again


def tiny_model_output(width: int, height: int, *, prompt: str = "a lighthouse", seed: int = 0,
                      frames: int = 96, steps: int = 8) -> GenerationResult:
    """What the embedded tiny model makes (upscaled cell-scale noise): the hardest host for the
    video mark, and a noise-like soundtrack."""
    from generation.backends import GenerationSpec, get_backend

    spec = GenerationSpec(prompt=prompt, width=width, height=height, num_frames=frames,
                          fps=24, seed=seed, num_inference_steps=steps)
    return get_backend(None, "cpu").generate(spec)
