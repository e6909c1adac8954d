"""Video generation backends (pure Python, no Django): spec in, frames + audio out."""

from generation.backends.base import (
    GenerationCancelled,
    GenerationResult,
    GenerationSpec,
    ProgressCallback,
    VideoBackend,
)
from generation.backends.registry import backend_register, get_backend

__all__ = [
    "GenerationCancelled",
    "GenerationResult",
    "GenerationSpec",
    "ProgressCallback",
    "VideoBackend",
    "backend_register",
    "get_backend",
]
