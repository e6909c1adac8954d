"""Invisible watermark: a 64-bit generation id hidden in the luma of every frame.

Design (algorithm id `ALGORITHM`):
- The frame is divided into square cells whose size is relative to the frame geometry
  (`CELLS_PER_SHORT_SIDE` cells along the shorter side). Cells repeat a keyed 16x16 tile:
  64 tile cells hold a fixed sync pattern, 192 hold the payload (8 bytes + 16 Reed-Solomon
  parity bytes, so 8 damaged bytes are corrected). Each cell is +-1, scaled by `strength`
  and smoothly interpolated, then added equally to R, G and B, i.e. to luma only.
- The pattern is the same for the whole video, so embedding is two saturating adds per frame.
- Detection high-passes and averages the luma of all frames (soft voting across frames),
  searches the cell scale (crop or resize changes it), folds the image onto one tile (a crop
  only shifts the tile cyclically), finds the shift by correlating with the sync pattern, then
  reads and error-corrects the payload. The tile periodicity makes crops and the scale search
  cheap; low spatial frequency survives H.264 and downscaling.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

import cv2
import numpy as np
import reedsolo

ALGORITHM = "org.castline.wm.tile16.v1"
PAYLOAD_BITS = 64
CELLS_PER_SHORT_SIDE = 32
TILE = 16
SYNC_CELLS = 64
PARITY_BYTES = 16
DEFAULT_STRENGTH = 1.0
DEFAULT_WINDOW = 48  # frames sharing one pattern: 2 s at 24 fps

_MAX_GAIN = 6.0  # bound on a cell's amplitude, in units of `strength`
_STEPS = 16
_GAIN = 1 - 1 / 25  # centre tap of `_highpass`
_RENDER_GAIN = 0.7  # measured share of a cell's amplitude that its soft-edged render keeps

_CANON = 8  # pixels per cell in the detector's canonical space
_SCALES = np.arange(1.0, 1.205, 0.01)  # received cell size / nominal: crops up to ~17%
_CANDIDATES = 8
_KEY = b"castline-invisible-watermark-v1"
_RS = reedsolo.RSCodec(PARITY_BYTES)
_DATA_BYTES = PAYLOAD_BITS // 8
_CODED_BITS = (_DATA_BYTES + PARITY_BYTES) * 8


@dataclass(frozen=True)
class Detection:
    found: bool
    payload: int | None
    sync_score: float  # z-score of the sync correlation peak
    scale: float  # detected cell size relative to the nominal one (1/crop factor)


@dataclass(frozen=True)
class _Layout:
    sync_mask: np.ndarray  # bool [TILE, TILE]
    sync_values: np.ndarray  # float32 [TILE, TILE], +-1 at sync cells, 0 elsewhere
    data_order: np.ndarray  # flat tile indices of coded bit k
    data_key: np.ndarray  # +-1 whitening per coded bit


@lru_cache(maxsize=1)
def _layout() -> _Layout:
    seed = int.from_bytes(hashlib.sha256(_KEY).digest()[:8], "big")
    rng = np.random.default_rng(seed)
    cells = rng.permutation(TILE * TILE)
    sync_mask = np.zeros(TILE * TILE, dtype=bool)
    sync_mask[cells[:SYNC_CELLS]] = True
    sync_values = np.zeros(TILE * TILE, dtype=np.float32)
    sync_values[sync_mask] = rng.choice([-1.0, 1.0], SYNC_CELLS)
    data_key = rng.choice([-1.0, 1.0], _CODED_BITS).astype(np.float32)
    return _Layout(
        sync_mask.reshape(TILE, TILE),
        sync_values.reshape(TILE, TILE),
        cells[SYNC_CELLS:],
        data_key,
    )


def _encode_bits(payload: int) -> np.ndarray:
    if not 0 <= payload < 1 << PAYLOAD_BITS:
        raise ValueError("payload must be an unsigned 64-bit integer")
    coded = bytes(_RS.encode(payload.to_bytes(_DATA_BYTES, "big")))
    return np.unpackbits(np.frombuffer(coded, dtype=np.uint8)).astype(np.float32) * 2 - 1


def payload_tile(payload: int) -> np.ndarray:
    """The +-1 cell values of one tile for `payload`."""
    layout = _layout()
    tile = layout.sync_values.reshape(-1).copy()
    tile[layout.data_order] = _encode_bits(payload) * layout.data_key
    return tile.reshape(TILE, TILE)


def cell_size(height: int, width: int) -> float:
    return min(height, width) / CELLS_PER_SHORT_SIDE


def _grid_shape(height: int, width: int) -> tuple[int, int]:
    cell = cell_size(height, width)
    return int(np.ceil(height / cell)), int(np.ceil(width / cell))


def _render(grid: np.ndarray, height: int, width: int) -> np.ndarray:
    """Interpolate a cell grid smoothly to frame pixels (float32)."""
    cell = cell_size(height, width)
    rows, cols = grid.shape
    size = (round(cols * cell), round(rows * cell))
    blocks = cv2.resize(grid, size, interpolation=cv2.INTER_NEAREST)[:height, :width]
    # Soft cell edges: invisible steps, yet each cell's mean stays close to its amplitude.
    return cv2.GaussianBlur(blocks, (0, 0), cell / 6)


def _cell_means(luma: np.ndarray, rows: int, cols: int) -> np.ndarray:
    cell = cell_size(*luma.shape)
    pad_h = round(rows * cell) - luma.shape[0]
    pad_w = round(cols * cell) - luma.shape[1]
    padded = cv2.copyMakeBorder(luma, 0, max(pad_h, 0), 0, max(pad_w, 0), cv2.BORDER_REPLICATE)
    return cv2.resize(padded, (cols, rows), interpolation=cv2.INTER_AREA)


def _highpass(cells: np.ndarray) -> np.ndarray:
    """The detector's reading of cells on a periodic tile (last two axes): each cell's mean minus
    the mean of its 5x5 neighbourhood, which removes brightness and smooth content."""
    local = cells
    for axis in (-2, -1):
        local = np.sum([np.roll(local, k, axis) for k in range(-2, 3)], axis=0) / 5
    return cells - local


def _luma(frame: np.ndarray) -> np.ndarray:
    return cv2.cvtColor(np.ascontiguousarray(frame), cv2.COLOR_RGB2GRAY).astype(np.float32)


def embed(
    frames: np.ndarray,
    payload: int,
    *,
    strength: float = DEFAULT_STRENGTH,
    window: int = DEFAULT_WINDOW,
) -> np.ndarray:
    """Mark uint8 RGB frames [T, H, W, 3] (or one [H, W, 3] frame) in place; returns them.

    Informed embedding: per window of frames the host's own reading of each cell (averaged
    over the window, as the detector averages) is subtracted, so the content does not drown
    the mark. Within a window the pattern is static, which H.264 keeps cheaply.
    """
    if frames.dtype != np.uint8 or frames.shape[-1] != 3:
        raise ValueError("frames must be uint8 RGB")
    batch = frames if frames.ndim == 4 else frames[None]
    height, width = batch.shape[1:3]
    rows, cols = _grid_shape(height, width)
    target = payload_tile(payload)
    reps = (rows // TILE + 1, cols // TILE + 1)
    for start in range(0, len(batch), window):
        chunk = batch[start : start + window]
        host = np.mean([_cell_means(_luma(frame), rows, cols) for frame in chunk], axis=0)
        folded = _fold_grid(host)
        amplitude = _informed_amplitude(target, _highpass(folded), strength)
        grid = np.tile(amplitude, reps)[:rows, :cols]
        delta = np.floor(_render(grid, height, width) + _dither(height, width))
        # Same offset on R, G and B changes luma only; split so uint8 adds saturate, not wrap.
        pos = cv2.cvtColor(np.clip(delta, 0, 255).astype(np.uint8), cv2.COLOR_GRAY2RGB)
        neg = cv2.cvtColor(np.clip(-delta, 0, 255).astype(np.uint8), cv2.COLOR_GRAY2RGB)
        for frame in chunk:
            cv2.add(frame, pos, dst=frame)
            cv2.subtract(frame, neg, dst=frame)
    return frames


def _fold_grid(grid: np.ndarray) -> np.ndarray:
    """Average a cell grid onto one tile, as the detector's fold does."""
    rows, cols = grid.shape
    total = np.zeros((TILE, TILE), dtype=np.float32)
    count = np.zeros((TILE, TILE), dtype=np.float32)
    for r in range(0, rows, TILE):
        for q in range(0, cols, TILE):
            part = grid[r : r + TILE, q : q + TILE]
            total[: part.shape[0], : part.shape[1]] += part
            count[: part.shape[0], : part.shape[1]] += 1
    return total / count


def _informed_amplitude(target: np.ndarray, host: np.ndarray, strength: float) -> np.ndarray:
    """Smallest-effort tile amplitudes that make every cell read its sign with margin `strength`.

    Cells whose content already reads the right way get (almost) nothing; the others are pushed
    just past the margin. A few projected steps on the 16x16 tile are enough.
    """
    amplitude = np.zeros_like(target, dtype=np.float32)
    limit = _MAX_GAIN * strength
    for _ in range(_STEPS):
        reading = (_RENDER_GAIN * _highpass(amplitude) + host) * target
        deficit = np.maximum(strength - reading, 0.0)
        amplitude += target * deficit / (_RENDER_GAIN * _GAIN)
        np.clip(amplitude, -limit, limit, out=amplitude)
    return amplitude


@lru_cache(maxsize=4)
def _dither(height: int, width: int) -> np.ndarray:
    # Fixed dither before flooring keeps sub-level amplitudes on average instead of rounding to 0.
    return np.random.default_rng(0).random((height, width), dtype=np.float32)


class Accumulator:
    """Soft vote across frames: averages the luma of every frame fed to it."""

    def __init__(self) -> None:
        self._sum: np.ndarray | None = None
        self.count = 0

    def add(self, frame: np.ndarray) -> None:
        luma = _luma(frame)
        if self._sum is None:
            self._sum = luma
        elif self._sum.shape != luma.shape:
            raise ValueError("all frames must have the same size")
        else:
            self._sum += luma
        self.count += 1

    def result(self) -> Detection:
        if self._sum is None:
            return Detection(False, None, 0.0, 0.0)
        return _decode_residual(self._sum / self.count)


def detect(frames: Iterable[np.ndarray]) -> Detection:
    """Recover the payload from uint8 RGB frames of one video (any resolution, crop or scale)."""
    acc = Accumulator()
    for frame in frames:
        acc.add(frame)
    return acc.result()


def _fold(image: np.ndarray) -> np.ndarray:
    """Average an image onto one tile period (a cyclic shift of the embedded tile)."""
    size = TILE * _CANON
    h, w = image.shape
    ph, pw = -h % size, -w % size
    padded = np.pad(image, ((0, ph), (0, pw)))
    counts = np.pad(np.ones_like(image), ((0, ph), (0, pw)))
    shape = (padded.shape[0] // size, size, padded.shape[1] // size, size)
    total = padded.reshape(shape).sum(axis=(0, 2))
    n = counts.reshape(shape).sum(axis=(0, 2))
    return total / np.maximum(n, 1)


def _phase_readings(folded: np.ndarray) -> np.ndarray:
    """Cell readings [phase_y, phase_x, TILE, TILE] of a folded tile for every sub-cell phase."""
    size = TILE * _CANON
    box = np.zeros((size, size), dtype=np.float32)
    box[:_CANON, :_CANON] = 1.0 / _CANON**2
    # Circular mean of the 8x8 block starting at each pixel.
    means = np.fft.irfft2(np.fft.rfft2(folded) * np.conj(np.fft.rfft2(box)), s=(size, size))
    return _highpass(means.reshape(TILE, _CANON, TILE, _CANON).transpose(1, 3, 0, 2))


def _decode_residual(mean_luma: np.ndarray) -> Detection:
    nominal = cell_size(*mean_luma.shape)
    sync = np.conj(np.fft.fft2(_layout().sync_values))
    candidates: list[tuple[float, float, np.ndarray]] = []
    for scale in _SCALES:
        factor = _CANON / (nominal * scale)
        dsize = (round(mean_luma.shape[1] * factor), round(mean_luma.shape[0] * factor))
        interp = cv2.INTER_AREA if factor < 1 else cv2.INTER_LINEAR
        readings = _phase_readings(_fold(cv2.resize(mean_luma, dsize, interpolation=interp)))
        corr = np.fft.ifft2(np.fft.fft2(readings) * sync).real
        peak = np.unravel_index(int(np.argmax(corr)), corr.shape)
        z = float((corr[peak] - corr.mean()) / (corr.std() + 1e-9))
        py, px, dy, dx = (int(i) for i in peak)
        aligned = np.roll(readings[py, px], (-dy, -dx), axis=(0, 1))
        candidates.append((z, float(scale), aligned))
    candidates.sort(key=lambda c: c[0], reverse=True)
    best_z, best_scale = candidates[0][0], candidates[0][1]
    # The sync peak only shortlists; Reed-Solomon decoding is what accepts a candidate.
    for z, scale, aligned in candidates[:_CANDIDATES]:
        payload = _read_payload(aligned)
        if payload is not None:
            return Detection(True, payload, z, scale)
    return Detection(False, None, best_z, best_scale)


def _read_payload(cells: np.ndarray) -> int | None:
    layout = _layout()
    soft = cells.reshape(-1)[layout.data_order] * layout.data_key
    coded = np.packbits(soft > 0).tobytes()
    confidence = np.abs(soft).reshape(-1, 8).sum(axis=1)
    weakest = [int(i) for i in np.argsort(confidence)]
    # Plain decoding first, then with the least confident bytes declared erased.
    for erased in (0, 4):
        try:
            message = _RS.decode(coded, erase_pos=weakest[:erased] or None)[0]
        except reedsolo.ReedSolomonError:
            continue
        return int.from_bytes(bytes(message), "big")
    return None


def psnr(original: np.ndarray, marked: np.ndarray) -> float:
    mse = float(np.mean((original.astype(np.float32) - marked.astype(np.float32)) ** 2))
    return float("inf") if mse == 0 else 10 * float(np.log10(255.0**2 / mse))
