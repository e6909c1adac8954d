"""A small energy + zero-crossing voice activity detector.

It does not understand words; it only checks that someone spoke for about as long as reading
the phrase takes. A real ASR plugs in through `SpeechRecognizer` (protocols.py).
"""

import numpy as np

FRAME_SECONDS = 0.03


def speech_seconds(samples: np.ndarray, rate: int) -> float:
    """Seconds of frames whose energy stands out of the noise floor with a voice-like ZCR."""
    size = int(rate * FRAME_SECONDS)
    n = samples.size // size
    if n == 0:
        return 0.0
    frames = samples[: n * size].reshape(n, size).astype(np.float64)
    energy_db = 10.0 * np.log10(np.mean(frames**2, axis=1) + 1e-12)
    floor_db = float(np.percentile(energy_db, 10))
    # Sign changes per sample: ~0.5 for white noise/hiss, well below for voiced speech.
    zcr = np.mean(np.abs(np.diff(np.signbit(frames).astype(np.int8), axis=1)), axis=1)
    # Above the noise floor, but a uniformly loud recording (no pauses) still counts.
    peak_db = float(np.percentile(energy_db, 95))
    loud = energy_db > max(min(floor_db + 10.0, peak_db - 20.0), -45.0)
    voiced = loud & (zcr < 0.35)
    return float(np.count_nonzero(voiced)) * FRAME_SECONDS
