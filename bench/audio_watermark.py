"""Audio watermark benchmark: recovery and cost on real and synthetic soundtracks.

Prints JSON: the share of 4-second windows (real performance audio from the shared fixture,
plus synthetic music, speech-like and noise hosts) whose payload is recovered after our AAC
encode, after a 64 kbit/s 44.1 kHz re-encode, and from an 8 s track cut at a random point; false
positives on unmarked windows; the mark's level under the host (dB); embed and detect time per
second of audio against a plain AAC encode of the same audio (the ratio). Never fails.
Usage: python bench/audio_watermark.py [--windows N]
"""

from __future__ import annotations

import argparse
import io
import json
import sys
import time
import traceback
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from generation.backends.base import GenerationResult
from generation.media import encode_mp4
from generation.provenance import audio_mark
from tests.faces import faces_dir
from tests.watermark_attacks import aac_again

RATE = audio_mark.RATE
SECONDS = 4.0


def synthetic(seconds: float, rng: np.random.Generator) -> dict[str, np.ndarray]:
    t = np.arange(int(seconds * RATE)) / RATE
    base = rng.uniform(110, 440)
    music = sum(0.15 / k * np.sin(2 * np.pi * base * k * t + rng.uniform(0, 6))
                for k in (1, 2, 3, 5))
    speech = 0.2 * rng.standard_normal(len(t)) * (0.5 + 0.5 * np.sin(2 * np.pi * 3 * t)) ** 4
    return {"music": music, "speech": speech, "noise": 0.3 * rng.standard_normal(len(t))}


def encoded(mono: np.ndarray) -> tuple[np.ndarray, float]:
    """Through our encoder (AAC 128 kbit/s, 48 kHz) and back; returns the seconds it took."""
    frames = np.zeros((round(len(mono) / RATE * 24), 16, 16, 3), np.uint8)
    buffer = io.BytesIO()
    started = time.perf_counter()
    encode_mp4(GenerationResult(frames=frames, audio=np.stack([mono, mono]).astype(np.float32),
                                fps=24, sample_rate=RATE), buffer)
    spent = time.perf_counter() - started
    decoded = audio_mark.decode_mono(buffer.getvalue())
    assert decoded is not None
    return decoded, spent


def windows(count: int, rng: np.random.Generator) -> list[tuple[str, np.ndarray]]:
    out: list[tuple[str, np.ndarray]] = []
    real = audio_mark.decode_mono(faces_dir() / "performer_clip.mp4") \
        if (faces_dir() / "performer_clip.mp4").exists() else None
    length = int(SECONDS * RATE)
    for _ in range(count):
        if real is not None and len(real) > length:
            start = int(rng.integers(0, len(real) - length))
            out.append(("real", real[start:start + length].astype(np.float64)))
        for name, host in synthetic(SECONDS, rng).items():
            out.append((name, host))
    return out


def run(count: int) -> dict[str, object]:
    rng = np.random.default_rng(2026)
    tally: dict[str, dict[str, int]] = {}
    embed_s = detect_s = encode_s = audio_s = 0.0
    levels: list[float] = []
    for kind, host in windows(count, rng):
        payload = int(rng.integers(0, 2**63))
        marked = np.stack([host, host]).astype(np.float32)
        started = time.perf_counter()
        audio_mark.embed(marked, RATE, payload)
        embed_s += time.perf_counter() - started
        levels.append(float(10 * np.log10(np.mean(host**2) / np.mean((marked[0] - host) ** 2))))
        decoded, spent = encoded(marked[0])
        encode_s += spent
        audio_s += len(host) / RATE
        started = time.perf_counter()
        ours = audio_mark.detect(decoded)
        detect_s += time.perf_counter() - started
        again = audio_mark.detect(aac_again(decoded))
        # An 8 s track (the window twice) marked whole, then cut at a random point.
        longer = np.stack([np.concatenate([host, host])] * 2).astype(np.float32)
        audio_mark.embed(longer, RATE, payload)
        cut_at = int(rng.integers(1, audio_mark.FRAME))
        cut = audio_mark.detect(encoded(longer[0])[0][cut_at:])
        clean = audio_mark.detect(encoded(host.astype(np.float32))[0])
        row = tally.setdefault(kind, {"windows": 0, "aac128": 0, "aac64_44k": 0, "cut": 0,
                                      "false_positive": 0})
        row["windows"] += 1
        row["aac128"] += ours.payload == payload
        row["aac64_44k"] += again.payload == payload
        row["cut"] += cut.payload == payload
        row["false_positive"] += clean.found
    return {
        "bench": "audio_watermark", "seconds_per_window": SECONDS, "hosts": tally,
        "mark_level_db_under_host": {"min": round(min(levels), 1),
                                     "median": round(float(np.median(levels)), 1)},
        "embed_ms_per_audio_s": round(1000 * embed_s / audio_s, 2),
        "detect_ms_per_audio_s": round(1000 * detect_s / audio_s, 2),
        "baseline_aac_encode_ms_per_audio_s": round(1000 * encode_s / audio_s, 2),
        "embed_plus_detect_vs_encode": round((embed_s + detect_s) / encode_s, 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--windows", type=int, default=25)
    args = parser.parse_args()
    try:
        report = run(args.windows)
    except Exception as exc:  # a bench reports, it never fails the caller
        report = {"bench": "audio_watermark", "error": f"{type(exc).__name__}: {exc}",
                  "traceback": traceback.format_exc(limit=5)}
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
