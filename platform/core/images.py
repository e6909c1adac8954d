"""Opening client images with a pixel bound checked on the header, before any decoding.

A small file can declare a huge picture (a 20000x20000 one-bit PNG is a few kilobytes and
decodes to 1.2 GB of RGB). Pillow refuses pictures past twice its own MAX_IMAGE_PIXELS with
DecompressionBombError, which is no OSError; here every oversized picture, whatever Pillow's
global says, is the client's 413 `upload.too_large`.
"""

from typing import IO

from django.conf import settings
from PIL import Image

from .errors import DomainError


def image_too_large() -> DomainError:
    return DomainError("upload.too_large",
                       f"The image has more than {settings.MAX_IMAGE_PIXELS} pixels.",
                       status_code=413)


def image_open_bounded(source: IO[bytes], *, max_pixels: int | None = None) -> Image.Image:
    """Image.open that refuses pictures over `max_pixels` (default MAX_IMAGE_PIXELS)."""
    limit = settings.MAX_IMAGE_PIXELS if max_pixels is None else max_pixels
    try:
        image = Image.open(source)
    except Image.DecompressionBombError as exc:
        raise image_too_large() from exc
    if image.width * image.height > limit:
        image.close()
        raise image_too_large()
    return image
