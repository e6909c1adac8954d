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


def tone_change(frames: np.ndarray) -> np.ndarray:
    """Brightness, contrast and gamma together, as a photo app's sliders do (one LUT)."""
    levels = np.arange(256, dtype=np.float32) / 255
    lut = np.clip(255 * (levels**0.8) * 1.1 - 8, 0, 255).astype(np.uint8)
    return lut[frames]


def resample_fps(frames: np.ndarray, src_fps: float, dst_fps: float) -> np.ndarray:
    """Frame-rate conversion the way ffmpeg's `fps` filter does it: each output frame is the
    input frame nearest its timestamp (duplicates going up, drops going down)."""
    count = int(len(frames) * dst_fps / src_fps)
    index = np.minimum((np.arange(count) * src_fps / dst_fps + 0.5).astype(int), len(frames) - 1)
    return frames[index]


def resize_to_height(frames: np.ndarray, height: int) -> np.ndarray:
    """Scale to `height` keeping the aspect (even width): bicubic up, area down, like ffmpeg."""
    width = round(frames.shape[2] * height / frames.shape[1] / 2) * 2
    interp = cv2.INTER_AREA if height < frames.shape[1] else cv2.INTER_CUBIC
    return np.stack([cv2.resize(f, (width, height), interpolation=interp) for f in frames])


def upscale_1080_then_half(frames: np.ndarray) -> np.ndarray:
    return resize_to_height(resize_to_height(frames, 1080), 540)


def synthetic_video(frames: int, seed: int = 7, height: int = 360, width: int = 640
                    ) -> np.ndarray:
    """Moving texture + gradients + a moving bright disc: content that changes every frame."""
    rng = np.random.default_rng(seed)
    texture = cv2.GaussianBlur(
        rng.normal(0, 40, (height * 2, width * 2)).astype(np.float32), (0, 0), 3
    )
    yy, xx = np.mgrid[0:height, 0:width].astype(np.float32)
    vy, vx, phase = rng.uniform(0.5, 2.5), rng.uniform(0.5, 2.5), rng.uniform(0, 6.3)
    out = np.empty((frames, height, width, 3), dtype=np.uint8)
    for t in range(frames):
        dy, dx = int(t * vy) % height, int(t * vx) % width
        base = (100 + 50 * np.sin(xx / 60 + t / 10 + phase)
                + texture[dy : dy + height, dx : dx + width])
        cy = height / 2 - 0.2 * height * np.sin(t / 15 + phase)
        cx = width / 2 - 0.3 * width * np.cos(t / 20)
        base = np.where((yy - cy) ** 2 + (xx - cx) ** 2 < (height / 7) ** 2, 220.0, base)
        out[t] = np.clip(np.stack([base, base * 0.9 + 15, base * 0.8 + 25], axis=-1), 0, 255)
    return out


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
