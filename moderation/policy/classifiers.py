"""Pluggable ML classifiers for text and images, loaded from local files only.

A classifier is registered by name with a factory; settings (or the DB layer) pick names and
options, e.g. create_classifier("nudenet", model_path="/models/640m.onnx"). Nothing here
downloads anything: the built-in NudeNet model ships inside its wheel.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

import numpy as np

from .categories import Category

if TYPE_CHECKING:
    from pathlib import Path


@dataclass(frozen=True, slots=True)
class ClassifierScore:
    label: str
    category: Category
    score: float


@runtime_checkable
class TextClassifier(Protocol):
    name: str

    def classify_text(self, text: str) -> Sequence[ClassifierScore]: ...


@runtime_checkable
class ImageClassifier(Protocol):
    name: str

    def classify_images(self, frames: np.ndarray) -> Sequence[Sequence[ClassifierScore]]:
        """frames: [N, H, W, 3] uint8 RGB; one list of scores per frame."""
        ...


ClassifierFactory = Callable[..., TextClassifier | ImageClassifier]
_REGISTRY: dict[str, ClassifierFactory] = {}


def register_classifier(name: str, factory: ClassifierFactory) -> None:
    _REGISTRY[name] = factory


def create_classifier(name: str, **options: Any) -> TextClassifier | ImageClassifier:
    try:
        factory = _REGISTRY[name]
    except KeyError:
        raise LookupError(f"unknown classifier {name!r}; known: {sorted(_REGISTRY)}") from None
    return factory(**options)


def classifier_names() -> tuple[str, ...]:
    return tuple(sorted(_REGISTRY))


# NudeNet labels that count as nudity; covered parts, faces and feet do not.
NUDENET_EXPOSED = frozenset({
    "FEMALE_GENITALIA_EXPOSED", "MALE_GENITALIA_EXPOSED", "FEMALE_BREAST_EXPOSED",
    "BUTTOCKS_EXPOSED", "ANUS_EXPOSED",
})
# Counted for teen accounts only.
NUDENET_SUGGESTIVE = frozenset({
    "FEMALE_GENITALIA_COVERED", "FEMALE_BREAST_COVERED", "BUTTOCKS_COVERED", "ANUS_COVERED",
})

_detectors: dict[str, Any] = {}
_detectors_lock = threading.Lock()


def _nudenet_detector(model_path: str) -> Any:
    """One ONNX session per model file per process, created on first use (it takes ~0.2 s)."""
    with _detectors_lock:
        if model_path not in _detectors:
            from nudenet import NudeDetector  # heavy import, only when images are checked

            _detectors[model_path] = NudeDetector(model_path=model_path or None)
        return _detectors[model_path]


class NudeNetClassifier:
    """Image classifier backed by NudeNet's detector; score per label is the best box."""

    name = "nudenet"

    def __init__(self, model_path: str | Path | None = None) -> None:
        self._model_path = str(model_path or "")

    def classify_images(self, frames: np.ndarray) -> list[list[ClassifierScore]]:
        detector = _nudenet_detector(self._model_path)
        results: list[list[ClassifierScore]] = []
        for frame in frames:
            # NudeDetector is written for cv2.imread output, i.e. BGR.
            best: dict[str, float] = {}
            for det in detector.detect(np.ascontiguousarray(frame[..., ::-1])):
                label = str(det["class"])
                best[label] = max(best.get(label, 0.0), float(det["score"]))
            results.append([ClassifierScore(label, Category.SEXUAL, score)
                            for label, score in best.items()])
        return results


register_classifier("nudenet", NudeNetClassifier)
