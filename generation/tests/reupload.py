"""Helpers of the soft-binding tests. A re-upload as phones and websites do it: decoded,
halved, re-encoded with H.264 at CRF 32 (ffmpeg's libx264, through PyAV), with no audio and no
metadata, so no C2PA manifest."""

import io
from pathlib import Path

import pytest

from generation.media import encode_frames
from generation.models import Video
from generation.provenance.media import read_frames
from tests.watermark_attacks import downscale


def strip(path: Path) -> bytes:
    """The re-upload of the file at `path`."""
    frames, fps = read_frames(path.read_bytes())
    buffer = io.BytesIO()
    encode_frames(downscale(frames), fps, buffer, crf=32, preset="veryfast")
    return buffer.getvalue()


def pin_watermark_ids(monkeypatch: pytest.MonkeyPatch, *ids: int) -> None:
    """The next videos created get these watermark payloads, in order (they are otherwise
    random): Django keeps a field's default in the cached `_get_default`, so that is what is
    replaced, for this test only."""
    field = Video._meta.get_field("watermark_id")
    queue = iter(ids)
    monkeypatch.setattr(field, "_get_default", lambda: next(queue))
