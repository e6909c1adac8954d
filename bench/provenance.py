"""Post-processing overhead: visible mark + invisible mark + encode + thumbnail + C2PA signing,
as a ratio to a bare H.264 encode of the same frames (target <= 1.5x). Prints JSON, never fails.
"""

from __future__ import annotations

import io
import json
import sys
import tempfile
import time
import traceback
from pathlib import Path

import numpy as np
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from generation.media import encode_frames
from generation.provenance import invisible, visible
from generation.provenance.c2pa_sign import ConsentReceipt, ManifestSpec, sign_mp4
from generation.provenance.credentials import ensure_dev_credentials

FPS = 24.0


def frames_for(seconds: float, height: int, width: int) -> np.ndarray:
    yy, xx = np.mgrid[0:height, 0:width].astype(np.float32)
    count = int(seconds * FPS)
    out = np.empty((count, height, width, 3), dtype=np.uint8)
    for t in range(count):
        base = 110 + 70 * np.sin(xx / 40 + t / 6) * np.cos(yy / 55 - t / 9)
        out[t] = np.clip(np.stack([base, base * 0.8 + 30, 255 - base], -1), 0, 255)
    return out


def timed(fn) -> float:  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def run(height: int, width: int, data_dir: Path) -> dict[str, float]:
    frames = frames_for(5, height, width)
    creds = ensure_dev_credentials(data_dir).credentials()
    bare = timed(lambda: encode_frames(frames.copy(), FPS, io.BytesIO()))
    steps: dict[str, float] = {}
    work = frames.copy()
    steps["visible"] = timed(lambda: visible.apply(work, "creator", FPS))
    steps["invisible"] = timed(lambda: invisible.embed(work, 0xC0FFEE))
    encoded = io.BytesIO()
    steps["encode"] = timed(lambda: encode_frames(work, FPS, encoded))
    steps["thumbnail"] = timed(
        lambda: (
            Image.fromarray(work[0])
            .resize((width // 2, height // 2))
            .save(io.BytesIO(), "JPEG", quality=85)
        )
    )
    spec = ManifestSpec("bench", "ltx2", 0xC0FFEE, [ConsentReceipt("r", "0" * 64)])
    steps["c2pa_sign"] = timed(
        lambda: sign_mp4(encoded.getvalue(), data_dir / "signed.mp4", spec, creds)
    )
    total = sum(steps.values())
    return {
        "bare_encode_s": bare,
        **{f"{k}_s": v for k, v in steps.items()},
        "total_s": total,
        "overhead_ratio": total / bare,
    }


def main() -> None:
    report: dict[str, object] = {}
    try:
        with tempfile.TemporaryDirectory() as tmp:
            for label, (h, w) in {"360p": (360, 640), "720p": (720, 1280)}.items():
                report[label] = run(h, w, Path(tmp))
    except Exception as exc:  # a benchmark reports, it never fails
        report["error"] = repr(exc)
        report["traceback"] = traceback.format_exc()
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
