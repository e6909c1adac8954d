"""The backend interface: a spec goes in, frames + audio come out, progress is reported on the way.

Kept free of Django so workers, benchmarks and tests can import it without settings.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

import numpy as np
import numpy.typing as npt

# fraction in [0, 1], stage name; raising from it (e.g. GenerationCancelled) stops the job.
ProgressCallback = Callable[[float, str], None]

# Stage names reported to the progress callback, in order.
STAGE_ENCODE_PROMPT = "encode_prompt"
STAGE_DENOISE = "denoise"
STAGE_DECODE = "decode"
STAGE_AUDIO = "audio"
STAGE_RESIZE = "resize"  # fitting frames/audio to the requested size, frame count, duration
STAGE_DONE = "done"


class GenerationCancelled(Exception):  # noqa: N818 -- a signal, not an error; name fixed by callers
    """Raised by a progress callback to stop a generation at the next step."""


@dataclass(frozen=True)
class DialogueLine:
    """One spoken line of a shot: who says it, in which language, what."""

    speaker: str
    text: str
    language: str = ""  # as the writer named it ("French", "pt-BR"); "" = the prompt's


@dataclass(frozen=True)
class GenerationSpec:
    """What to generate. Width and height are the output size in pixels (even, for H.264)."""

    prompt: str
    negative_prompt: str = ""
    width: int = 480
    height: int = 854
    num_frames: int = 96
    fps: float = 24.0
    seed: int = 0
    with_audio: bool = True
    # HxWx3 uint8 frame to start from: shot-to-shot continuity or a Cameo reference frame.
    condition_image: npt.NDArray[np.uint8] | None = None
    # KxHxWx3 uint8: the last K frames of the segment before, continued (overlapping
    # conditioning). A backend that can, renders them again as its first frames and returns
    # only the frames after them; one that cannot, continues from the last of them.
    condition_video: npt.NDArray[np.uint8] | None = None
    num_inference_steps: int = 30
    # Direction of a storyboard shot: how the camera moves and what is heard. The switches
    # turn a layer of the soundtrack off (a backend that can, tells its model not to make it).
    camera: str = ""
    dialogue: tuple[DialogueLine, ...] = ()
    ambient: str = ""  # what the place sounds like
    music: str = ""
    dialogue_on: bool = True
    ambient_on: bool = True
    music_on: bool = True

    def __post_init__(self) -> None:
        if self.width < 2 or self.height < 2 or self.width % 2 or self.height % 2:
            raise ValueError(
                f"width and height must be even and >= 2, got {self.width}x{self.height}"
            )
        if self.num_frames < 1:
            raise ValueError(f"num_frames must be >= 1, got {self.num_frames}")
        if self.fps <= 0:
            raise ValueError(f"fps must be > 0, got {self.fps}")
        if self.num_inference_steps < 1:
            raise ValueError(f"num_inference_steps must be >= 1, got {self.num_inference_steps}")
        image = self.condition_image
        if image is not None and (
            image.ndim != 3 or image.shape[2] != 3 or image.dtype != np.uint8
        ):
            raise ValueError("condition_image must be an HxWx3 uint8 array")
        video = self.condition_video
        if video is not None and (
            video.ndim != 4 or video.shape[3] != 3 or video.dtype != np.uint8 or not len(video)
        ):
            raise ValueError("condition_video must be a non-empty KxHxWx3 uint8 array")

    @property
    def shape_key(self) -> tuple[object, ...]:
        """Jobs with equal keys render the same tensors' shapes: one pipeline call can batch
        them (conditioned jobs never batch: their latents differ in kind)."""
        return (self.width, self.height, self.num_frames, self.fps, self.num_inference_steps,
                self.with_audio, self.condition_image is None and self.condition_video is None)

    @property
    def duration(self) -> float:
        return self.num_frames / self.fps


@dataclass(frozen=True)
class GenerationResult:
    """frames: uint8 [T, H, W, 3]; audio: float32 [channels, samples] in [-1, 1], or None."""

    frames: npt.NDArray[np.uint8]
    audio: npt.NDArray[np.float32] | None
    fps: float
    sample_rate: int

    @property
    def duration(self) -> float:
        return len(self.frames) / self.fps


@runtime_checkable
class VideoBackend(Protocol):
    name: str

    def generate(
        self, spec: GenerationSpec, progress: ProgressCallback | None = None
    ) -> GenerationResult: ...
