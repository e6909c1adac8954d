"""Plug-in points for stronger checks than this library ships with."""

from typing import Protocol

import numpy as np


class SpeechRecognizer(Protocol):
    """An ASR that checks the phrase was read (e.g. a Whisper model in a worker)."""

    def transcribe(self, samples: np.ndarray, rate: int) -> str:
        """Text heard in mono float32 samples."""
        ...


class SpoofDetector(Protocol):
    """A presentation-attack model (screen replay, print, mask, face swap)."""

    def spoof_score(self, face_crops: list[np.ndarray]) -> float:
        """Probability in [0, 1] that these RGB face crops (one per sampled frame) are a spoof."""
        ...
