"""A stored video's sound back into samples: the source of an extension, to stitch onto."""

from __future__ import annotations

import io

import av
import numpy as np
import numpy.typing as npt


def decode_audio(source: bytes, *, sample_rate: int) -> npt.NDArray[np.float32] | None:
    """The first audio track as mono float32 [1, samples] at `sample_rate` (None: no track),
    so it concatenates with a new generation's sound."""
    chunks: list[np.ndarray] = []
    with av.open(io.BytesIO(source), "r") as container:
        if not container.streams.audio:
            return None
        resampler = av.AudioResampler(format="flt", layout="mono", rate=sample_rate)
        for frame in container.decode(audio=0):
            chunks.extend(out.to_ndarray().reshape(-1) for out in resampler.resample(frame))
        chunks.extend(out.to_ndarray().reshape(-1) for out in resampler.resample(None))
    return np.concatenate(chunks).astype(np.float32)[None, :] if chunks else None
