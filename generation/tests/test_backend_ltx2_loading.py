"""The production path: LTX-2 weights loaded with from_pretrained from a local directory."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from generation.backends import GenerationSpec
from generation.backends.ltx2 import LTX2Backend, load_ltx2_backend
from generation.backends.tiny import TINY_CALL_OPTIONS, build_tiny_pipeline


def test_pipeline_saved_to_a_directory_loads_and_generates_the_same(tmp_path: Path) -> None:
    pipeline = build_tiny_pipeline(seed=3)
    pipeline.save_pretrained(tmp_path)
    spec = GenerationSpec(
        prompt="a lighthouse", width=64, height=32, num_frames=9, fps=8.0, num_inference_steps=2
    )

    loaded = load_ltx2_backend(str(tmp_path), "cpu", call_options=TINY_CALL_OPTIONS)
    in_memory = LTX2Backend(pipeline, name="reference", call_options=TINY_CALL_OPTIONS)
    from_disk = loaded.generate(spec)
    expected = in_memory.generate(spec)

    assert loaded.name.startswith("ltx2:")
    assert from_disk.frames.shape == (9, 32, 64, 3)
    # Same weights; attention kernels may differ by float rounding, so allow one 8-bit level.
    assert np.abs(from_disk.frames.astype(int) - expected.frames).max() <= 1
    assert from_disk.audio is not None and expected.audio is not None
    np.testing.assert_allclose(from_disk.audio, expected.audio, atol=1e-4)
