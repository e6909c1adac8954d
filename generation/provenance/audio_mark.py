"""Audio watermark: the video's 64-bit payload, spread over the soundtrack.

Spread spectrum at a canonical 16 kHz. Each of the coded bits (the video mark's channel code:
convolutional code over the payload and a 24-bit check) is 20 ms of key-seeded noise limited to
1-5 kHz, where AAC keeps detail, signed by the bit. A second noise of the same band with a
constant sign runs alongside, so a detector finds where each 3.76 s frame starts even in a clip
cut at any point. The mark follows the host's loudness (LEVEL_DB under it, 20 ms blocks) with a
quiet floor, and repeats over the whole track; the detector folds the frames onto one another,
so longer tracks read better. Tracks shorter than one frame are left unmarked.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

import av
import numpy as np
import numpy.typing as npt

from . import invisible

if TYPE_CHECKING:
    from pathlib import Path

RATE = 16000
CHIP = 320  # samples of one coded bit at RATE: 20 ms
BITS = invisible.CODED_BITS
FRAME = BITS * CHIP  # 3.76 s
BAND_HZ = (1000.0, 5000.0)
LEVEL_DB = -20.0  # mark under the host's local loudness
FLOOR = 10 ** (-60 / 20)  # mark amplitude in silence (full scale 1.0)
SYNC_SHARE = 0.5  # sync noise amplitude relative to the data noise
_BLOCK = 0.02  # seconds per loudness block
_PEAKS = 3  # sync offsets tried
_KEY_DATA, _KEY_SYNC = 0x0CA5_71E0, 0x5E0C_A571

Audio = npt.NDArray[np.float32]


@dataclass(frozen=True)
class AudioDetection:
    found: bool
    payload: int | None
    sync_score: float  # z-score of the frame-start correlation peak


def _band(signal: np.ndarray) -> np.ndarray:
    spectrum = np.fft.rfft(signal)
    freqs = np.fft.rfftfreq(len(signal), 1 / RATE)
    spectrum[(freqs < BAND_HZ[0]) | (freqs > BAND_HZ[1])] = 0
    return np.fft.irfft(spectrum, len(signal))


@lru_cache(maxsize=2)
def _noise(key: int) -> np.ndarray:
    noise = _band(np.random.default_rng(key).standard_normal(FRAME))
    return (noise / np.sqrt(np.mean(noise**2))).astype(np.float32)


def _frame(payload: int) -> np.ndarray:
    """One frame of mark at RATE, unit RMS."""
    signs = np.repeat(invisible.encode_payload(payload), CHIP)
    mark = _noise(_KEY_DATA) * signs + SYNC_SHARE * _noise(_KEY_SYNC)
    return mark / np.sqrt(1 + SYNC_SHARE**2)


def _resample(signal: np.ndarray, length: int) -> np.ndarray:
    """Band-limited resampling by the spectrum (the mark has nothing near either Nyquist)."""
    return np.fft.irfft(np.fft.rfft(signal), length) * (length / len(signal))


def _loudness(mono: np.ndarray, sample_rate: int) -> np.ndarray:
    """RMS per 20 ms block, held over the block and smoothed over three blocks."""
    block = max(1, round(_BLOCK * sample_rate))
    blocks = -(-len(mono) // block)
    padded = np.zeros(blocks * block, dtype=np.float64)
    padded[: len(mono)] = mono
    rms = np.sqrt(np.mean(padded.reshape(blocks, block) ** 2, axis=1))
    rms = np.convolve(rms, np.ones(3) / 3, mode="same")
    return np.repeat(rms, block)[: len(mono)]


def embed(audio: Audio, sample_rate: int, payload: int, *, first_sample: int = 0,
          total_samples: int | None = None) -> bool:
    """Mark `audio` ([channels, samples], float in [-1, 1]) in place; False when too short.

    A long video's soundtrack is marked in pieces: `audio` is then the piece that starts at
    `first_sample` of a track of `total_samples`, and gets the part of the whole track's mark
    that falls there (the frames run on the whole track's clock, as if marked whole)."""
    samples = audio.shape[-1]
    total = samples if total_samples is None else total_samples
    if round(total * RATE / sample_rate) < FRAME or samples == 0:
        return False
    start = round(first_sample * RATE / sample_rate)
    end = round((first_sample + samples) * RATE / sample_rate)
    frame = _frame(payload)
    mark = _resample(frame[np.arange(start, end) % FRAME], samples)
    level = np.maximum(_loudness(audio.mean(axis=0), sample_rate) * 10 ** (LEVEL_DB / 20),
                       FLOOR)
    np.clip(audio + (mark * level).astype(np.float32), -1.0, 1.0, out=audio)
    return True


def decode_mono(source: str | Path | bytes, max_seconds: float = 60.0) -> Audio | None:
    """The first audio stream as mono float32 at RATE, or None when the file has none."""
    data = io.BytesIO(source) if isinstance(source, bytes) else str(source)
    try:
        with av.open(data, "r") as container:
            if not container.streams.audio:
                return None
            resampler = av.AudioResampler(format="flt", layout="mono", rate=RATE)
            chunks: list[np.ndarray] = []
            limit, total = int(max_seconds * RATE), 0
            for frame in container.decode(audio=0):
                for out in resampler.resample(frame):
                    chunks.append(out.to_ndarray().reshape(-1))
                    total += len(chunks[-1])
                if total >= limit:
                    break
            for out in resampler.resample(None):
                chunks.append(out.to_ndarray().reshape(-1))
    except (av.FFmpegError, OSError, ValueError):  # any upload: unreadable audio is no audio
        return None
    return np.concatenate(chunks)[:limit].astype(np.float32) if chunks else None


def detect(mono: Audio) -> AudioDetection:
    """Recover the payload from mono audio at RATE (any start point, one frame or more)."""
    if len(mono) < FRAME:
        return AudioDetection(False, None, 0.0)
    signal = _band(mono.astype(np.float64))
    # Undo the loudness the mark followed, so loud passages do not outvote quiet ones.
    signal /= np.maximum(_loudness(mono.astype(np.float64), RATE), FLOOR)
    frames = len(signal) // FRAME
    folded = signal[: frames * FRAME].reshape(frames, FRAME).sum(axis=0)
    # Circular correlation with the sync noise: the peak is where frames start.
    sync = np.fft.irfft(np.fft.rfft(folded) * np.conj(np.fft.rfft(_noise(_KEY_SYNC))), FRAME)
    z = (sync - np.median(sync)) / (np.median(np.abs(sync - np.median(sync))) * 1.4826 + 1e-12)
    best = float(z.max())
    for offset in np.argsort(z)[::-1][:_PEAKS]:
        aligned = np.roll(folded, -int(offset)) * _noise(_KEY_DATA)
        soft = aligned.reshape(BITS, CHIP).sum(axis=1)
        soft /= np.median(np.abs(soft)) + 1e-12
        payload = invisible.decode_payload(np.clip(soft, -3, 3))
        if payload is not None:
            return AudioDetection(True, payload, float(z[offset]))
    return AudioDetection(False, None, best)
