"""Encryption at rest of likeness data, with the key from settings.

CAMEO_ENCRYPTION_KEY (URL-safe base64 of 32 bytes) when set, else a key derived from
SECRET_KEY, so a development install works without configuration. Every blob is bound to
its row (associated data) so a ciphertext copied elsewhere does not decrypt.
"""

import hashlib
import io

import numpy as np
import numpy.typing as npt
from django.conf import settings
from django.core.files.base import ContentFile
from django.db.models.fields.files import FieldFile
from PIL import Image

from cameo.crypto import decrypt, encrypt, key_from_text
from cameo.verification import encoding_from_bytes, encoding_to_bytes


def key() -> bytes:
    if settings.CAMEO_ENCRYPTION_KEY:
        return key_from_text(settings.CAMEO_ENCRYPTION_KEY)
    return hashlib.sha256(b"castline.cameo.v1|" + settings.SECRET_KEY.encode()).digest()


def seal(data: bytes, *, bound_to: str) -> bytes:
    return encrypt(data, key(), associated_data=bound_to.encode())


def unseal(blob: bytes, *, bound_to: str) -> bytes:
    return decrypt(bytes(blob), key(), associated_data=bound_to.encode())


def seal_encoding(encoding: npt.NDArray[np.float64], *, bound_to: str) -> bytes:
    return seal(encoding_to_bytes(encoding), bound_to=bound_to)


def unseal_encoding(blob: bytes, *, bound_to: str) -> npt.NDArray[np.float64]:
    return encoding_from_bytes(unseal(blob, bound_to=bound_to))


def sealed_file(data: bytes, *, bound_to: str) -> ContentFile[bytes]:
    return ContentFile(seal(data, bound_to=bound_to))


def read_sealed_file(field: FieldFile, *, bound_to: str) -> bytes:
    with field.open("rb") as handle:
        return unseal(handle.read(), bound_to=bound_to)


def jpeg_to_rgb(data: bytes) -> npt.NDArray[np.uint8]:
    return np.asarray(Image.open(io.BytesIO(data)).convert("RGB"), dtype=np.uint8)


