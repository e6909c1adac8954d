"""One warm backend per process: built on first use, reused by every job after it."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

from generation.backends.acceleration import StepOptions

if TYPE_CHECKING:
    from collections.abc import Callable

    from generation.backends.base import VideoBackend

_lock = threading.Lock()
_cached: tuple[tuple[str | None, str, str, StepOptions], VideoBackend] | None = None
# Other pipelines (a Wan or hosted-API backend, a test's faulty one), chosen by name
# (GENERATION_BACKEND); each factory gets the device and builds its backend.
_factories: dict[str, Callable[[str], VideoBackend]] = {}


def backend_register(name: str, factory: Callable[[str], VideoBackend]) -> None:
    """Offer another backend under `name`; the next get_backend(name=...) builds it."""
    global _cached
    with _lock:
        _factories[name] = factory
        if _cached is not None and _cached[0][2] == name:
            _cached = None  # a re-registered name builds afresh


def default_device() -> str:
    import torch

    return "cuda" if torch.cuda.is_available() else "cpu"


def get_backend(
    model_path: str | None = None, device: str | None = None, *, name: str = "",
    options: StepOptions | None = None,
) -> VideoBackend:
    """The process's backend: a registered one by `name`, LTX-2 weights from `model_path`,
    or the tiny built-in model; `options` (compile, attention, FP8, placement, offload) are
    applied to the LTX-2 pipelines (a registered backend applies its own).

    Asking for another model replaces the cached one, so a worker never holds two pipelines.
    """
    global _cached
    key = (model_path or None, device or default_device(), name, options or StepOptions())
    with _lock:
        if _cached is not None and _cached[0] == key:
            return _cached[1]
        _cached = None  # drop the old pipeline before loading a new one
        backend: VideoBackend
        if name:
            if name not in _factories:
                raise LookupError(f"no backend registered as {name!r}")
            backend = _factories[name](key[1])
        elif key[0] is None:
            backend = _factories[TINY_BACKEND](key[1])
            if not key[3].is_plain:
                from generation.backends.ltx2 import LTX2Backend

                if isinstance(backend, LTX2Backend):
                    backend.accelerate(key[3])
        else:
            # Imported here: diffusers and torch take seconds to import.
            from generation.backends.ltx2 import load_ltx2_backend

            backend = load_ltx2_backend(key[0], key[1], options=key[3])
        _cached = (key, backend)
        return backend


def _build_tiny(device: str) -> VideoBackend:
    # Imported here: diffusers and torch take seconds to import, Django startup shouldn't pay.
    from generation.backends.tiny import build_tiny_backend

    return build_tiny_backend(device=device)


# The built-in model, registered like any other backend.
TINY_BACKEND = "castline-tiny"
backend_register(TINY_BACKEND, _build_tiny)
