"""Fit a pipeline's raw output to the requested size, frame count and duration.

Pipelines render on their own grid (LTX-2: sides divisible by 32, 8k+1 frames; the tiny model: a
few latent tokens), so every backend resizes, retimes and pads/trims its output here.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import torch
from PIL import Image


def video_tensor_to_uint8(video: torch.Tensor) -> npt.NDArray[np.uint8]:
    """[T, 3, H, W] values in [0, 1], on any device, to [T, H, W, 3] uint8 on the CPU.

    Converted where the tensor lives: on a GPU the float work takes milliseconds and a quarter
    of the bytes cross to the host (a 4 s 480p job's frames as float32 took 1.2 s on the CPU).
    """
    # clamp makes the copy (.float() may return the caller's tensor); then in place.
    scaled = video.float().clamp(0.0, 1.0).mul_(255.0).add_(0.5).to(torch.uint8)
    return scaled.permute(0, 2, 3, 1).contiguous().cpu().numpy()


def retime_indices(src_count: int, src_fps: float, dst_count: int, dst_fps: float) -> list[int]:
    """Source frame shown at each output frame time (nearest earlier frame, sample-and-hold)."""
    # The epsilon keeps exact multiples (e.g. 24 -> 12 fps) from flooring one frame short.
    return [min(src_count - 1, int(j * src_fps / dst_fps + 1e-6)) for j in range(dst_count)]


def resize_frame(frame: npt.NDArray[np.uint8], width: int, height: int) -> npt.NDArray[np.uint8]:
    if frame.shape[1] == width and frame.shape[0] == height:
        return frame
    image = Image.fromarray(frame).resize((width, height), Image.Resampling.BILINEAR)
    return np.asarray(image, dtype=np.uint8)


def fit_frames(
    frames: npt.NDArray[np.uint8],
    src_fps: float,
    *,
    width: int,
    height: int,
    num_frames: int,
    fps: float,
) -> npt.NDArray[np.uint8]:
    """Retime `frames` (played at `src_fps`) to `num_frames` at `fps`, then resize each one."""
    indices = retime_indices(len(frames), src_fps, num_frames, fps)
    # Resize each distinct source frame once; retiming only repeats or drops them.
    resized = {i: resize_frame(frames[i], width, height) for i in sorted(set(indices))}
    return np.stack([resized[i] for i in indices])


def fit_audio(audio: npt.NDArray[np.floating], num_samples: int) -> npt.NDArray[np.float32]:
    """Trim or zero-pad [channels, samples] audio to exactly `num_samples` (keeps A/V sync)."""
    channels, length = audio.shape
    out = np.zeros((channels, num_samples), dtype=np.float32)
    keep = min(length, num_samples)
    out[:, :keep] = np.clip(audio[:, :keep], -1.0, 1.0)
    return out


# A vocoder's output falls a few tens of milliseconds short of the picture (the tiny model's:
# 25 ms in 4 s). Padding that with zeros leaves a gap at every join of a relay or storyboard;
# stretching it by well under 1% is inaudible (pitch moves by less than a tenth of a semitone).
MAX_STRETCH = 0.05


def fit_audio_stretched(audio: npt.NDArray[np.floating],
                        num_samples: int) -> npt.NDArray[np.float32]:
    """fit_audio, except that audio a little too short is stretched to `num_samples` (linear
    interpolation per channel) instead of ending in silence."""
    channels, length = audio.shape
    if not 0 < length < num_samples or num_samples - length > MAX_STRETCH * num_samples:
        return fit_audio(audio, num_samples)
    positions = np.linspace(0, length - 1, num_samples)
    stretched = np.stack([np.interp(positions, np.arange(length), audio[channel])
                          for channel in range(channels)])
    return fit_audio(stretched, num_samples)


def audio_samples_for(num_frames: int, fps: float, sample_rate: int) -> int:
    """Number of audio samples that cover exactly `num_frames` at `fps`."""
    return round(num_frames * sample_rate / fps)
