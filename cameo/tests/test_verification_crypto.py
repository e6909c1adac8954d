"""Encryption at rest of Cameo media and encodings."""

import base64

import pytest

from cameo.crypto import (
    DecryptionError,
    decrypt,
    encrypt,
    generate_key,
    key_from_text,
)


def test_roundtrip_with_fresh_nonces() -> None:
    key = generate_key()
    data = b"\x00face-encoding\xff" * 40
    first, second = encrypt(data, key), encrypt(data, key)
    assert first != second and data not in first
    assert decrypt(first, key) == data == decrypt(second, key)


def test_wrong_key_tampering_and_wrong_row_fail() -> None:
    key = generate_key()
    blob = encrypt(b"reference frame", key, associated_data=b"cameo:1")
    with pytest.raises(DecryptionError):
        decrypt(blob, generate_key(), associated_data=b"cameo:1")
    with pytest.raises(DecryptionError):
        decrypt(blob, key, associated_data=b"cameo:2")
    tampered = blob[:-1] + bytes([blob[-1] ^ 1])
    with pytest.raises(DecryptionError):
        decrypt(tampered, key, associated_data=b"cameo:1")
    with pytest.raises(DecryptionError):
        decrypt(b"short", key)
    assert decrypt(blob, key, associated_data=b"cameo:1") == b"reference frame"


def test_key_text_form() -> None:
    key = generate_key()
    assert key_from_text(base64.urlsafe_b64encode(key).decode()) == key
    with pytest.raises(ValueError):
        key_from_text(base64.urlsafe_b64encode(b"too short").decode())
    with pytest.raises(ValueError):
        encrypt(b"x", b"too short")
