"""A client's reference image for the first frame: checked by content, bounded, normalised."""

from __future__ import annotations

import io
import warnings

import numpy as np
import numpy.typing as npt
from PIL import Image, UnidentifiedImageError

MAX_REFERENCE_PIXELS = 4096 * 4096
REFERENCE_MAX_SIDE = 1920  # larger images are scaled down: no frame is bigger than this
ACCEPTED_FORMATS = {"JPEG", "PNG", "WEBP"}


class ReferenceImageError(ValueError):
    """The bytes are not an image we take; the message says why, for the client."""


def reference_png(data: bytes) -> bytes:
    """The image as an RGB PNG (what is stored and read back by the worker)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError,
            Image.DecompressionBombWarning):
        raise ReferenceImageError("The reference is not a readable image.") from None
    if image.format not in ACCEPTED_FORMATS:
        raise ReferenceImageError("The reference must be a JPEG, PNG or WebP image.")
    if image.width * image.height > MAX_REFERENCE_PIXELS:
        raise ReferenceImageError("The reference image has too many pixels.")
    try:
        image.load()
        rgb = image.convert("RGB")
    except (OSError, ValueError, SyntaxError):
        raise ReferenceImageError("The reference is not a readable image.") from None
    rgb.thumbnail((REFERENCE_MAX_SIDE, REFERENCE_MAX_SIDE), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    rgb.save(out, format="PNG")
    return out.getvalue()


def reference_frame(png: bytes) -> npt.NDArray[np.uint8]:
    """HxWx3 uint8, as GenerationSpec.condition_image wants."""
    with Image.open(io.BytesIO(png)) as image:
        return np.asarray(image.convert("RGB"), dtype=np.uint8).copy()
