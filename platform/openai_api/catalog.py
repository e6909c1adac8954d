"""The models and sizes the door offers, and what each means in Castline's terms.

`sora-2` and `sora-2-pro` (and their dated snapshots) are names an operator maps onto the
model this deployment runs (OPENAI_MODEL_ALIASES); the pro names add the pro sizes, as
OpenAI's did. A size is honoured exactly (frames are made at that width and height) or
refused naming `size`; it is never changed silently.
"""

from dataclasses import dataclass

from django.conf import settings

from core.errors import DomainError
from generation import facade as generation

# The SDK's VideoSize values, then Castline's own sizes (480p, 720p square, 1080p).
STANDARD_SIZES = ("720x1280", "1280x720")
PRO_SIZES = ("1024x1792", "1792x1024")
CASTLINE_SIZES = ("480x854", "854x480", "480x480", "720x720", "1080x1920", "1920x1080",
                  "1080x1080")
DEFAULT_SIZE = "720x1280"
DEFAULT_SECONDS = "4"
CREATED = 1759708800  # 2025-10-06, the date OpenAI's first snapshot names


@dataclass(frozen=True)
class Size:
    width: int
    height: int
    aspect_ratio: str  # Castline's aspect class (prompting and pricing)
    resolution: str  # Castline's resolution tier (pricing, GENERATION_RESOLUTIONS)

    @property
    def label(self) -> str:
        return f"{self.width}x{self.height}"


@dataclass(frozen=True)
class ModelAlias:
    id: str
    sizes: tuple[str, ...]


def _size(label: str) -> Size:
    width, height = (int(part) for part in label.split("x"))
    aspect = "16:9" if width > height else "9:16" if width < height else "1:1"
    short = min(width, height)
    resolution = "480p" if short <= 480 else "720p" if short <= 720 else "1080p"
    return Size(width, height, aspect, resolution)


def aliases() -> dict[str, ModelAlias]:
    found: dict[str, ModelAlias] = {}
    for name in settings.OPENAI_MODEL_ALIASES:
        pro = "-pro" in name
        sizes = STANDARD_SIZES + (PRO_SIZES if pro else ()) + CASTLINE_SIZES
        found[name] = ModelAlias(id=name, sizes=sizes)
    # Castline's own model name works too, with every size.
    own = generation.model_name()
    found.setdefault(own, ModelAlias(id=own, sizes=STANDARD_SIZES + PRO_SIZES + CASTLINE_SIZES))
    return found


def resolve_model(name: str | None) -> ModelAlias:
    known = aliases()
    chosen = name or settings.OPENAI_MODEL_ALIASES[0]
    if chosen not in known:
        raise DomainError("openai.unknown_model", f"The model '{chosen}' does not exist here; "
                          f"use one of {', '.join(known)}.", fields={"model": ["Unknown."]})
    return known[chosen]


def resolve_size(model: ModelAlias, label: str | None) -> Size:
    chosen = label or DEFAULT_SIZE
    if chosen not in model.sizes:
        raise DomainError("openai.unsupported_size", f"Size '{chosen}' is not available for "
                          f"{model.id}; use one of {', '.join(model.sizes)}.",
                          fields={"size": ["Unsupported."]})
    size = _size(chosen)
    if size.resolution not in settings.GENERATION_RESOLUTIONS:
        raise DomainError("openai.unsupported_size", f"This deployment does not make "
                          f"{size.resolution} videos, so not {chosen}.",
                          fields={"size": ["Unsupported here."]})
    return size


def resolve_seconds(value: object) -> int:
    text = DEFAULT_SECONDS if value is None or value == "" else str(value)
    allowed = [str(s) for s in generation.ALLOWED_SECONDS]
    if text not in allowed:
        raise DomainError("openai.unsupported_seconds", f"seconds must be one of "
                          f"{', '.join(allowed)}.", fields={"seconds": ["Unsupported."]})
    return int(text)
