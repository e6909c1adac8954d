"""Errors raised by the provenance library, each with a stable machine code."""

from __future__ import annotations


class ProvenanceError(Exception):
    """A provenance failure a caller can map to a 4xx: `code` is stable, `message` is for humans."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


UNREADABLE = "provenance.unreadable"
TOO_LARGE = "provenance.too_large"  # frames past the pixel bound: refused before decoding
SIGNING_FAILED = "provenance.signing_failed"
BAD_CREDENTIALS = "provenance.bad_credentials"
