"""What a video costs in credits: the only place prices are decided.

cost = ceil(per-second rate of the model x seconds x resolution factor)
       + shot surcharge x (shots - 1)       # each extra shot is conditioned on the previous one
"""

import math
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from core.errors import DomainError

# Credits per second of video at 480p.
MODEL_RATES: dict[str, Decimal] = {
    "castline-tiny": Decimal("1"),
    "ltx-2": Decimal("4"),
}
RESOLUTION_FACTORS: dict[str, Decimal] = {
    "480p": Decimal("1"),
    "720p": Decimal("1.5"),
    "1080p": Decimal("3"),
}
SHOT_SURCHARGE = 2
MIN_SECONDS, MAX_SECONDS = Decimal("1"), Decimal("60")  # generation makes up to a minute
MAX_SHOTS = 6


@dataclass(frozen=True)
class Quote:
    credits: int
    model: str
    seconds: Decimal
    resolution: str
    shots: int


def price_credits(*, model: str, seconds: float | Decimal, resolution: str,
                  shots: int = 1) -> Quote:
    """The credits one generation costs; refuses what we don't sell with a stable code."""
    seconds = Decimal(str(seconds))
    fields: dict[str, list[str]] = {}
    if model not in MODEL_RATES:
        fields["model"] = [f"One of: {', '.join(MODEL_RATES)}."]
    if resolution not in RESOLUTION_FACTORS:
        fields["resolution"] = [f"One of: {', '.join(RESOLUTION_FACTORS)}."]
    if not seconds.is_finite() or not MIN_SECONDS <= seconds <= MAX_SECONDS:
        fields["seconds"] = [f"Between {MIN_SECONDS} and {MAX_SECONDS}."]
    if not 1 <= shots <= MAX_SHOTS:
        fields["shots"] = [f"Between 1 and {MAX_SHOTS}."]
    if fields:
        raise DomainError("billing.unpriceable", "We can't price this generation.",
                          fields=fields)
    base = MODEL_RATES[model] * seconds * RESOLUTION_FACTORS[resolution]
    credits = math.ceil(base) + SHOT_SURCHARGE * (shots - 1)
    return Quote(credits=credits, model=model, seconds=seconds, resolution=resolution,
                 shots=shots)


def price_table() -> dict[str, Any]:
    """The pricing rules as data, so apps can show them (and compute previews) themselves."""
    return {
        "formula": "ceil(model_rate * seconds * resolution_factor) + "
                   "shot_surcharge * (shots - 1)",
        "model_rates": {name: str(rate) for name, rate in MODEL_RATES.items()},
        "resolution_factors": {name: str(f) for name, f in RESOLUTION_FACTORS.items()},
        "shot_surcharge": SHOT_SURCHARGE,
        "seconds": {"min": str(MIN_SECONDS), "max": str(MAX_SECONDS)},
        "max_shots": MAX_SHOTS,
    }
