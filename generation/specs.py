"""What a request turns into: sizes, style presets, shots and the backend specs."""

import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from django.conf import settings

from generation.backends.base import DialogueLine, GenerationSpec

# Multiples of 4 up to a minute. Past GENERATION_SEGMENT_SECONDS a job is made in segments,
# each continuing the last (generation/segments.py).
ALLOWED_SECONDS = tuple(range(4, 61, 4))
SHORT_SIDE = {"480p": 480, "720p": 720, "1080p": 1080}
FPS = 24
MAX_TOTAL_SECONDS = max(ALLOWED_SECONDS)  # any video, an extension's source included
MAX_SIDE = 1920  # the longest side of any frame we make (1080p landscape)
TINY_MODEL, LTX2_MODEL = "castline-tiny", "ltx-2"
HANDLE_MENTION = re.compile(r"(?<![\w@])@([A-Za-z0-9_]{3,30})\b")
_PRESETS_PATH = Path(__file__).with_name("presets.json")


@dataclass(frozen=True)
class Preset:
    name: str
    label: str
    prompt_suffix: str
    negative_prompt: str
    defaults: dict[str, Any]


@cache
def presets() -> dict[str, Preset]:
    raw = json.loads(_PRESETS_PATH.read_text())
    return {name: Preset(name=name, **fields) for name, fields in raw.items()}


def model_name() -> str:
    return LTX2_MODEL if settings.GENERATION_MODEL_PATH else TINY_MODEL


def frame_size(aspect_ratio: str, resolution: str) -> tuple[int, int]:
    """(width, height), both even as H.264 needs."""
    short = SHORT_SIDE[resolution]
    long = round(short * 16 / 9 / 2) * 2
    return {"16:9": (long, short), "9:16": (short, long), "1:1": (short, short)}[aspect_ratio]


def exact_size_allowed(width: int, height: int) -> bool:
    """An exact frame size the backends can make: even sides (H.264), none above MAX_SIDE."""
    return all(2 <= side <= MAX_SIDE and side % 2 == 0 for side in (width, height))


# A storyboard shot's direction, beside its prompt and seconds (generation.storyboards).
SHOT_DIRECTION = ("camera", "dialogue", "ambient", "music", "dialogue_on", "ambient_on",
                  "music_on")


def shot_texts(shot: dict[str, Any]) -> list[str]:
    """Every text of a shot a person wrote: what moderation reads."""
    lines = shot.get("dialogue") or []
    return [shot["prompt"], shot.get("camera", ""), shot.get("ambient", ""),
            shot.get("music", ""), *(f"{line['speaker']}: {line['text']}" for line in lines)]


def _direction(shot: dict[str, Any]) -> dict[str, Any]:
    direction = {key: shot[key] for key in SHOT_DIRECTION if key in shot}
    direction["dialogue"] = tuple(
        DialogueLine(speaker=line["speaker"], text=line["text"],
                     language=line.get("language", ""))
        for line in direction.get("dialogue", ()))
    return direction


def mentioned_handles(prompt: str) -> list[str]:
    return [handle.lower() for handle in HANDLE_MENTION.findall(prompt)]


def styled_prompt(prompt: str, style: str, preferences: list[str]) -> str:
    parts = [prompt, *preferences]
    suffix = presets()[style].prompt_suffix if style else ""
    if suffix:
        parts.append(suffix)
    return ", ".join(part for part in parts if part)


def shot_specs(*, shots: list[dict[str, Any]], style: str, negative_prompt: str, width: int,
               height: int, seed: int, with_audio: bool, preferences: list[str]
               ) -> list[GenerationSpec]:
    """One backend spec per shot; each shot gets its own seed so shots differ."""
    preset_negative = presets()[style].negative_prompt if style else ""
    negative = ", ".join(p for p in (negative_prompt, preset_negative) if p)
    return [GenerationSpec(prompt=styled_prompt(shot["prompt"], style, preferences),
                           negative_prompt=negative, width=width, height=height,
                           num_frames=int(shot["seconds"]) * FPS, fps=FPS,
                           seed=(seed + index) % 2**32, with_audio=with_audio,
                           num_inference_steps=settings.GENERATION_INFERENCE_STEPS,
                           **_direction(shot))
            for index, shot in enumerate(shots)]
