"""The invisible mark's robustness held on a fixed sample (issue 15): real footage, synthetic
content and the tiny model's own output, after the re-encodes people do; and no false positive
on unmarked clips. The full rates per attack and kind are measured by bench/watermark.py."""

from __future__ import annotations

from collections.abc import Callable

import cv2
import numpy as np
import pytest

from generation.provenance import invisible
from generation.provenance.media import read_frames
from tests.faces import faces_dir
from tests.watermark_attacks import (
    crop10,
    downscale,
    reencode,
    resample_fps,
    synthetic_video,
    tiny_model_output,
    tone_change,
)

FPS = 24.0
PAYLOADS = (0x0123_4567_89AB_CDEF, 0xF00D_CAFE_1234_5678)
# Decoding margin (mean/std of the correctly signed soft coded bits): measured 1.35-2.95 on this
# sample with mark v6 (v5: 1.1-2.4; the busy cases are the weakest, decodes fail near 1.15);
# a loss of the mark's margin fails here even where a lucky decode would still pass.
MIN_SOFT_SNR = 1.1


def _h264(crf: int, fps: float = FPS) -> Callable[[np.ndarray], np.ndarray]:
    return lambda frames: reencode(frames, fps, crf=crf, preset="medium")


ATTACKS: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "crf28-half-crop10": lambda f: _h264(28)(crop10(downscale(f))),
    "crf32-half": lambda f: _h264(32)(downscale(f)),
    "crf35-full": lambda f: _h264(35)(f),
    "fps24to30-crf28": lambda f: _h264(28, 30.0)(resample_fps(f, FPS, 30.0)),
    "tone-crf28": lambda f: _h264(28)(tone_change(f)),
}


@pytest.fixture(scope="module")
def real() -> np.ndarray:
    clip = faces_dir() / "performer_clip.mp4"
    if not clip.exists():
        pytest.skip(f"shared face fixtures absent at {clip.parent} (set FACES_FIXTURES_DIR)")
    frames, fps = read_frames(clip)
    return resample_fps(frames, fps, FPS)


@pytest.fixture(scope="module")
def tiny() -> np.ndarray:
    return tiny_model_output(480, 854, prompt="a city street at night", seed=3).frames


@pytest.fixture(scope="module")
def marked_real(real: np.ndarray) -> list[tuple[int, np.ndarray]]:
    """Two 4 s windows from either end of the clip, each marked as a whole video."""
    windows = (real[:96], real[-96:])
    return [(p, invisible.embed(w.copy(), p)) for p, w in zip(PAYLOADS, windows, strict=True)]


def _assert_reads(frames: np.ndarray, payload: int) -> None:
    found = invisible.detect(frames)
    assert found.payload == payload
    assert invisible.soft_snr(frames, payload, found.scale) >= MIN_SOFT_SNR


@pytest.mark.parametrize("attack", list(ATTACKS))
def test_real_footage_mark_survives(marked_real, attack: str) -> None:
    # The attacks alternate between the two windows: one encode each keeps the tier fast.
    payload, marked = marked_real[list(ATTACKS).index(attack) % 2]
    _assert_reads(ATTACKS[attack](marked), payload)


def test_real_footage_psnr_at_least_38_db(real, marked_real) -> None:
    assert invisible.psnr(real[:96], marked_real[0][1]) >= 38
    assert invisible.psnr(real[-96:], marked_real[1][1]) >= 38


def test_mark_energy_goes_where_it_reads(real, marked_real) -> None:
    """The clip's last 2 s are busy (the host's own cell readings outweigh the mark's after a
    re-encode, whatever the mark spends there): the first 2 s carry more of the mark, the whole
    clip no more than its PSNR allows (v6)."""
    mark = marked_real[1][1].astype(np.float32).mean(axis=3) - real[-96:].mean(axis=3)
    calm, busy = (float(np.sqrt(np.mean(mark[s] ** 2))) for s in (slice(0, 48), slice(48, 96)))
    assert calm > 1.5 * busy
    assert invisible.psnr(real[-96:], marked_real[1][1]) >= 38


@pytest.mark.parametrize("attack", ["crf28-half-crop10", "crf32-half", "crf35-full"])
def test_tiny_model_output_mark_survives(tiny, attack: str) -> None:
    marked = invisible.embed(tiny.copy(), PAYLOADS[1])
    _assert_reads(ATTACKS[attack](marked), PAYLOADS[1])


@pytest.mark.parametrize("attack", ["crf28-half-crop10", "crf32-half"])
def test_synthetic_content_mark_survives(attack: str) -> None:
    original = synthetic_video(96, seed=11)
    marked = invisible.embed(original.copy(), PAYLOADS[0])
    _assert_reads(ATTACKS[attack](marked), PAYLOADS[0])


def _busy(marked: np.ndarray, where: str) -> np.ndarray:
    """Cell-scale texture the embedder never saw (12 grey levels RMS) over the right half of
    every frame, or over the whole of the clip's last 2 s: the busy shots and textured areas of
    real footage, where the mark hardly reads."""
    h, w = marked.shape[1:3]
    noise = np.random.default_rng(5).normal(0, 1, (h, w)).astype(np.float32)
    noise = cv2.GaussianBlur(noise, (0, 0), invisible.cell_size(h, w) / 3)
    noise *= 12 / noise.std()
    busy = marked.astype(np.float32)
    if where == "right-half":
        busy[:, :, w // 2 :] += noise[None, :, w // 2 :, None]
    else:
        busy[48:] += noise[None, :, :, None]
    return np.clip(busy, 0, 255).astype(np.uint8)


@pytest.mark.parametrize("where", ["right-half", "last-2s"])
def test_mark_reads_where_part_of_the_clip_hides_it(where: str) -> None:
    """Averaged in equally, the hidden part drowns the rest (the detector read neither case
    before it weighted each cell copy by how well the mark reads around it)."""
    marked = invisible.embed(synthetic_video(96, seed=11), PAYLOADS[0])
    _assert_reads(ATTACKS["crf32-half"](_busy(marked, where)), PAYLOADS[0])


def test_no_false_positive_on_unmarked_clips(real, tiny) -> None:
    """Unmarked clips of all three kinds, raw, cropped and re-encoded, never read as marked."""
    rng = np.random.default_rng(2)
    sources = [real[:96], real[-96:], tiny, synthetic_video(96, seed=12)]
    tried = 0
    for source in sources:
        for frames in (source, ATTACKS["crf32-half"](source)):
            assert not invisible.detect(frames).found
            tried += 1
        for _ in range(3):  # random sub-windows and crops: distinct clips at no encode cost
            start = int(rng.integers(0, len(source) - 48))
            h, w = source.shape[1:3]
            y0, x0 = int(rng.integers(0, h // 4)), int(rng.integers(0, w // 4))
            assert not invisible.detect(source[start : start + 48, y0:, x0:]).found
            tried += 1
    assert tried == 20
    # The keyed check's bound: under one expected false positive in a million unmarked videos.
    assert invisible.false_positive_bound() < 1e-6
