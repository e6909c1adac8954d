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


def invalid_value(value: str, allowed: list[str]) -> str:
    """OpenAI's message for a value outside a list: "Invalid value: '5'. Supported values
    are: '4', '8', and '12'." (the SDKs show it as it is)."""
    quoted = [f"'{item}'" for item in allowed]
    listed = quoted[0] if len(quoted) == 1 else (
        f"{quoted[0]} and {quoted[1]}" if len(quoted) == 2
        else f"{', '.join(quoted[:-1])}, and {quoted[-1]}")
    return f"Invalid value: '{value[:80]}'. Supported values are: {listed}."


def resolve_model(name: str | None) -> ModelAlias:
    known = aliases()
    chosen = name or settings.OPENAI_MODEL_ALIASES[0]
    if chosen not in known:
        raise DomainError("openai.unknown_model", invalid_value(chosen, list(known)),
                          fields={"model": ["Unknown."]})
    return known[chosen]


def resolve_size(model: ModelAlias, label: str | None) -> Size:
    chosen = label or DEFAULT_SIZE
    if chosen not in model.sizes:
        raise DomainError("openai.unsupported_size",
                          invalid_value(chosen, list(model.sizes)),
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
        raise DomainError("openai.unsupported_seconds", invalid_value(text, allowed),
                          fields={"seconds": ["Unsupported."]})
    return int(text)
