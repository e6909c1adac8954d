"""Encryption at rest for Cameo media and face encodings (AES-256-GCM).

Pure functions with the key passed in: the caller owns key storage (settings, KMS) and
rotation. `associated_data` binds a blob to its row (e.g. the cameo id), so a ciphertext
copied onto another row fails to decrypt.
"""

import base64
import binascii
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

KEY_BYTES = 32
NONCE_BYTES = 12
# Format version, first byte of every blob, so the scheme can change without guessing.
VERSION = b"\x01"


class DecryptionError(Exception):
    """Wrong key, wrong associated data, or a corrupted / truncated blob."""


def generate_key() -> bytes:
    return AESGCM.generate_key(bit_length=8 * KEY_BYTES)


def key_from_text(text: str) -> bytes:
    try:
        key = base64.urlsafe_b64decode(text.encode("ascii"))
    except (binascii.Error, UnicodeEncodeError) as exc:
        raise ValueError("key is not URL-safe base64") from exc
    _check_key(key)
    return key


def _check_key(key: bytes) -> None:
    if len(key) != KEY_BYTES:
        raise ValueError(f"key must be {KEY_BYTES} bytes, got {len(key)}")


def encrypt(data: bytes, key: bytes, *, associated_data: bytes = b"") -> bytes:
    """VERSION | nonce | ciphertext+tag; a fresh random nonce every call."""
    _check_key(key)
    nonce = os.urandom(NONCE_BYTES)
    return VERSION + nonce + AESGCM(key).encrypt(nonce, data, associated_data)


def decrypt(blob: bytes, key: bytes, *, associated_data: bytes = b"") -> bytes:
    _check_key(key)
    if len(blob) < 1 + NONCE_BYTES + 16 or blob[:1] != VERSION:
        raise DecryptionError("not an encrypted Cameo blob")
    nonce, body = blob[1 : 1 + NONCE_BYTES], blob[1 + NONCE_BYTES :]
    try:
        return AESGCM(key).decrypt(nonce, body, associated_data)
    except InvalidTag as exc:
        raise DecryptionError("wrong key or tampered data") from exc
