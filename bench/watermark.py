"""Invisible watermark benchmark: exact 64-bit payload recovery per attack and kind of content,
against invisible-watermark's dwtDctSvd (the `dev` extra) on the same clips and attacks.

Kinds of content, each a 4 s clip (96 frames at 24 fps) marked as a whole, a payload per clip:
- real_360p: windows of the shared performer clip (resampled to 24 fps) at varied offsets,
  crops (88-100% per side, native pixels) and mirrored every other clip: there is one source;
- real_720p: the same windows upscaled to 720 lines;
- synthetic: natural-looking moving content (drifting texture, gradients, a moving disc), per seed;
- tiny_model: the embedded model's own output (noise at the mark's scale), per seed/prompt/aspect.
Attacks (all through H.264 via PyAV's libx264, as a phone or site re-encodes): see `ATTACKS`.
Also: PSNR per kind, embed ms per 720p frame on one core, false positives on unmarked clips of
all three kinds (measured, plus the bound the check bits give).

Clips are processed round-robin (clip 0 of every kind, then clip 1, ...) by `--workers`
processes, and the report is rewritten to `--out` after every clip: a run stopped early leaves
figures whose sample sizes (`clips`) are exact. The JSON report is printed on stdout at the end.
Usage: python bench/watermark.py [--clips N] [--fp-clips N] [--baseline-clips N] [--quick]
                                 [--kinds real_360p,...] [--attacks crf32_half,...]
                                 [--fp-first N]
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import sys
import time
import traceback
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import Any

import cv2
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from generation.media.encode import VIDEO_CRF
from generation.provenance import invisible
from generation.provenance.media import read_frames
from tests.faces import faces_dir
from tests.watermark_attacks import (
    crop10,
    downscale,
    reencode,
    resample_fps,
    resize_to_height,
    synthetic_video,
    tiny_model_output,
    tone_change,
    upscale_1080_then_half,
)

CLIP = faces_dir() / "performer_clip.mp4"
FPS = 24.0
FRAMES = 96  # 4 s at 24 fps
KINDS = ("real_360p", "real_720p", "synthetic", "tiny_model")
Attack = Callable[[np.ndarray], np.ndarray]
# x264 preset of the attacks: the product's own (generation.media.encode); --preset medium for
# ffmpeg's default (about 2.5x the encode time, the tests' choice).
PRESET = "veryfast"


def _h264(crf: int, fps: float = FPS) -> Attack:
    return lambda frames: reencode(frames, fps, crf=crf, preset=PRESET)


ATTACKS: dict[str, Attack] = {
    "crf28_half_crop10": lambda f: _h264(28)(crop10(downscale(f))),
    "crf32_half": lambda f: _h264(32)(downscale(f)),
    "crf35_full": lambda f: _h264(35)(f),
    "fps24_to_30_crf28": lambda f: _h264(28, 30.0)(resample_fps(f, FPS, 30.0)),
    "up1080_then_half_crf28": lambda f: _h264(28)(upscale_1080_then_half(f)),
    "brightness_contrast_gamma_crf28": lambda f: _h264(28)(tone_change(f)),
    # A video-only re-encode at the product's own quality: what stripping the audio does.
    "audio_removed": lambda f: _h264(VIDEO_CRF)(f),
}
CRF32_HALF = ATTACKS["crf32_half"]  # also the re-encode of the unmarked clips read
TINY_PROMPTS = ("a lighthouse", "a cat on a sofa", "a city street at night", "waves on a beach",
                "a forest in fog")
TINY_ASPECTS = ((480, 854), (854, 480), (480, 480))  # (width, height)
BASELINE_BITS = 64  # the same payload size as ours
BASELINE_FRAMES = 12  # frames dwtDctSvd decodes per clip (majority vote): it costs ~0.1-0.4 s each


def _payload(i: int) -> int:
    return int.from_bytes(np.random.default_rng(1000 + i).bytes(8), "big")


@lru_cache(maxsize=1)
def real_video() -> np.ndarray:
    frames, fps = read_frames(CLIP)
    return resample_fps(frames, fps, FPS)


def _real_window(i: int) -> np.ndarray:
    """Clip `i` of the real footage: its own offset, crop and mirroring of the one source."""
    real = real_video()
    rng = np.random.default_rng(300 + i)
    start = int(rng.integers(0, len(real) - FRAMES + 1))
    h, w = real.shape[1:3]
    ch, cw = (int(n * rng.uniform(0.88, 1.0)) // 2 * 2 for n in (h, w))
    y0, x0 = int(rng.integers(0, h - ch + 1)), int(rng.integers(0, w - cw + 1))
    frames = real[start : start + FRAMES, y0 : y0 + ch, x0 : x0 + cw]
    return np.ascontiguousarray(frames[:, :, ::-1] if i % 2 else frames)


def clip(kind: str, i: int) -> np.ndarray:
    """Unmarked clip `i` of one kind."""
    if kind == "real_360p":
        return _real_window(i)
    if kind == "real_720p":
        return resize_to_height(_real_window(i), 720)
    if kind == "synthetic":
        return synthetic_video(FRAMES, seed=100 + i)
    width, height = TINY_ASPECTS[i % len(TINY_ASPECTS)]
    prompt = TINY_PROMPTS[i % len(TINY_PROMPTS)]
    return tiny_model_output(width, height, prompt=prompt, seed=i, frames=FRAMES).frames


def _read(frames: np.ndarray) -> invisible.Accumulator:
    acc = invisible.Accumulator()
    for frame in frames:
        acc.add(frame)
    return acc


def marked_clip(kind: str, i: int, with_baseline: bool) -> dict[str, Any]:
    """Mark clip `i`, run every attack, detect; the unmarked clip, raw and after CRF 32 + 0.5x,
    is read too (any `found` there is a false positive). dwtDctSvd on the same clip if asked."""
    original = clip(kind, i)
    payload = _payload(i)
    marked = invisible.embed(original.copy(), payload)
    result: dict[str, Any] = {"kind": kind, "clip": i, "psnr": invisible.psnr(original, marked),
                              "attacks": {}}
    for name, attack in ATTACKS.items():
        acc = _read(attack(marked))
        found = acc.result()
        # At the scale read (the best sync peak's when nothing decoded: a crop's, not 1.0).
        result["attacks"][name] = {"recovered": found.payload == payload,
                                   "wrong": found.found and found.payload != payload,
                                   "soft_snr": acc.soft_snr(payload, found.scale)}
    result["unmarked_found"] = [_read(f).result().found
                                for f in (original, CRF32_HALF(original))]
    if with_baseline:
        result["baseline"] = baseline_clip(original, i)
    return result


def baseline_clip(original: np.ndarray, i: int) -> dict[str, Any]:
    """dwtDctSvd: every frame marked (it is an image watermark); after each attack,
    `BASELINE_FRAMES` frames are resized back to the marked size (it is told the geometry, which
    ours is not) and decoded, their bits voted."""
    from imwatermark import WatermarkEncoder

    bits = np.random.default_rng(2000 + i).integers(0, 2, BASELINE_BITS).tolist()
    encoder = WatermarkEncoder()
    encoder.set_watermark("bits", bits)
    marked = np.stack([encoder.encode(f[..., ::-1].copy(), "dwtDctSvd")[..., ::-1]
                       for f in original])
    return {"psnr": invisible.psnr(original, marked),
            "attacks": {name: _baseline_reads(attack(marked), original.shape[1:3], bits)
                        for name, attack in ATTACKS.items()}}


def _baseline_reads(frames: np.ndarray, size: tuple[int, ...], bits: list[int]) -> bool:
    from imwatermark import WatermarkDecoder

    decoder = WatermarkDecoder("bits", BASELINE_BITS)
    picks = np.linspace(0, len(frames) - 1, BASELINE_FRAMES).astype(int)
    votes = []
    for frame in frames[picks]:
        bgr = cv2.resize(frame[..., ::-1], (size[1], size[0]), interpolation=cv2.INTER_CUBIC)
        votes.append(decoder.decode(bgr, "dwtDctSvd"))
    return bool(((np.mean(votes, axis=0) > 0.5).astype(int) == bits).all())


@lru_cache(maxsize=4)
def _tiny_source(k: int) -> np.ndarray:
    width, height = TINY_ASPECTS[k % len(TINY_ASPECTS)]
    return tiny_model_output(width, height, prompt=TINY_PROMPTS[k % len(TINY_PROMPTS)],
                             seed=500 + k, frames=FRAMES).frames


def unmarked_clips(first: int, count: int) -> dict[str, Any]:
    """Detection on distinct unmarked 1-4 s clips of all three kinds: windows of the real clip
    at random offsets, crops and mirrorings (every 3rd at 720p), synthetic seeds, and tiny-model
    outputs (4 per process, the model is slow) shifted in time, cropped and flipped; every 10th
    clip re-encoded at CRF 32 + 0.5x."""
    found = 0
    kinds = {"real": 0, "synthetic": 0, "tiny_model": 0}
    for i in range(first, first + count):
        rng = np.random.default_rng(7_000_000 + i)
        kind = ("real", "synthetic", "tiny_model")[i % 3]
        kinds[kind] += 1
        # 1-4 s: a false positive is a wrong decode passing the keyed check, whatever the length.
        length = int(rng.integers(24, FRAMES + 1))
        if kind == "real":
            real = real_video()
            start = int(rng.integers(0, len(real) - 48))
            frames = real[start : start + length]
        elif kind == "synthetic":
            frames = synthetic_video(length, seed=10_000 + i)
        else:
            frames = np.roll(_tiny_source(i // 3 % 4), int(rng.integers(0, FRAMES)), axis=0)
            frames = frames[:length]
        if rng.random() < 0.5:
            frames = frames[:, :, ::-1]
        h, w = frames.shape[1:3]
        ch, cw = (int(n * rng.uniform(0.7, 1.0)) for n in (h, w))
        y0, x0 = int(rng.integers(0, h - ch + 1)), int(rng.integers(0, w - cw + 1))
        frames = np.ascontiguousarray(frames[:, y0 : y0 + ch, x0 : x0 + cw])
        if kind == "real" and i % 9 == 0:
            frames = resize_to_height(frames, 720)
        if i % 10 == 0:
            frames = CRF32_HALF(frames)
        found += int(_read(frames).result().found)
    return {"unmarked_clips": count, "found": found, "kinds": kinds}


def speed() -> dict[str, Any]:
    """Embed ms per 720p frame on one thread, 120 real frames (5 s), informed analysis included;
    dwtDctSvd on a few of the same frames."""
    cv2.setNumThreads(1)
    frames = resize_to_height(np.concatenate([real_video()] * 2)[:120], 720)
    start = time.perf_counter()
    invisible.embed(frames.copy(), 0xC0FFEE)
    ours_ms = (time.perf_counter() - start) / len(frames) * 1000
    result: dict[str, Any] = {"ours_ms_per_720p_frame": round(ours_ms, 2),
                              "ours_realtime_factor_24fps": round((1000 / 24) / ours_ms, 2)}
    from imwatermark import WatermarkEncoder

    encoder = WatermarkEncoder()
    encoder.set_watermark("bits", [1, 0] * (BASELINE_BITS // 2))
    start = time.perf_counter()
    for f in frames[:6]:
        encoder.encode(f[..., ::-1].copy(), "dwtDctSvd")
    theirs = (time.perf_counter() - start) / 6 * 1000
    result["dwtDctSvd_ms_per_720p_frame"] = round(theirs, 2)
    result["speedup_ours_over_dwtDctSvd"] = round(theirs / ours_ms, 2)
    cv2.setNumThreads(0)
    return result


def _run(task: tuple[Any, ...]) -> dict[str, Any]:
    cv2.setNumThreads(1)  # one process per core
    import torch

    torch.set_num_threads(1)
    try:
        if task[0] == "marked":
            return {"task": "marked", **marked_clip(*task[1:])}
        return {"task": "unmarked", **unmarked_clips(*task[1:])}
    except Exception as exc:  # a benchmark reports, it never fails
        return {"task": "error", "on": list(task), "error": repr(exc),
                "traceback": traceback.format_exc()}


def _rate(hits: int, n: int) -> dict[str, Any]:
    return {"recovered": hits, "clips": n, "rate": round(hits / n, 4) if n else None}


def summarise(results: list[dict[str, Any]], static: dict[str, Any]) -> dict[str, Any]:
    """The report from the clips done so far (sample sizes counted, not assumed)."""
    marked = [r for r in results if r["task"] == "marked"]
    unmarked = [r for r in results if r["task"] == "unmarked"]
    report: dict[str, Any] = dict(static)
    by_kind = {k: [r for r in marked if r["kind"] == k] for k in KINDS}
    ours: dict[str, Any] = {
        a: {k: _rate(sum(r["attacks"][a]["recovered"] for r in rs), len(rs))
            for k, rs in by_kind.items()} for a in ATTACKS}
    report["ours_recovery"] = ours
    rates = [c["rate"] for by in ours.values() for c in by.values() if c["clips"]]
    report["ours_recovery_min"] = min(rates) if rates else None
    report["ours_wrong_payloads"] = sum(r["attacks"][a]["wrong"] for r in marked for a in ATTACKS)
    # Soft coded-bit SNR (mean/std of correctly signed soft bits): the decoding margin.
    report["ours_soft_bit_snr_min"] = {
        a: {k: round(min(r["attacks"][a]["soft_snr"] for r in rs), 2)
            for k, rs in by_kind.items() if rs} for a in ATTACKS}
    report["psnr_db"] = {k: _stats([r["psnr"] for r in rs]) for k, rs in by_kind.items() if rs}
    with_base = {k: [r["baseline"] for r in rs if "baseline" in r] for k, rs in by_kind.items()}
    base: dict[str, Any] = {
        a: {k: _rate(sum(b["attacks"][a] for b in bs), len(bs)) for k, bs in with_base.items()}
        for a in ATTACKS}
    report["dwtDctSvd_recovery"] = base
    report["dwtDctSvd_psnr_db"] = {k: _stats([b["psnr"] for b in bs])
                                   for k, bs in with_base.items() if bs}
    # Ratio of recovery rates, ours over theirs on the same clips (None where theirs is 0).
    report["ratio_ours_over_dwtDctSvd"] = {
        a: {k: _ratio(by_kind[k], with_base[k], a) for k in KINDS if with_base[k]}
        for a in ATTACKS}
    marked_run_found = sum(sum(r["unmarked_found"]) for r in marked)
    marked_run_n = 2 * len(marked)
    fp_n = sum(r["unmarked_clips"] for r in unmarked)
    fp_found = sum(r["found"] for r in unmarked)
    fp_kinds = {k: sum(r["kinds"][k] for r in unmarked) for k in ("real", "synthetic",
                                                                      "tiny_model")}
    bound = invisible.false_positive_bound()
    report["false_positives"] = {
        "unmarked_clips": fp_n + marked_run_n, "found": fp_found + marked_run_found,
        "of_which_varied_clips": {"n": fp_n, "found": fp_found, "kinds": fp_kinds},
        "of_which_originals_of_marked_clips": {"n": marked_run_n, "found": marked_run_found},
        "bound_per_clip": bound, "bound_expected_in_run": bound * (fp_n + marked_run_n)}
    report["errors"] = [r for r in results if r["task"] == "error"]
    return report


def _ratio(ours: list[dict[str, Any]], theirs: list[dict[str, Any]], attack: str
           ) -> float | None:
    n = len(theirs)  # the baseline ran on the first n clips: compare on those
    mine = sum(r["attacks"][attack]["recovered"] for r in ours[:n]) / n
    other = sum(b["attacks"][attack] for b in theirs) / n
    return round(mine / other, 2) if other else None


def _stats(values: list[float]) -> dict[str, Any]:
    return {"min": round(min(values), 2), "mean": round(float(np.mean(values)), 2),
            "n": len(values)}


def _only(kinds: list[str], attacks: list[str]) -> None:
    """Measure a subset (the report's cells are then those only)."""
    global KINDS, ATTACKS
    unknown = set(kinds) - set(KINDS) | set(attacks) - set(ATTACKS)
    if unknown:
        raise SystemExit(f"unknown kinds or attacks: {sorted(unknown)}")
    KINDS = tuple(k for k in KINDS if k in kinds)
    ATTACKS = {a: f for a, f in ATTACKS.items() if a in attacks}


def main() -> None:
    global PRESET
    parser = argparse.ArgumentParser()
    parser.add_argument("--clips", type=int, default=20, help="clips per kind (every attack)")
    parser.add_argument("--fp-clips", type=int, default=1000, help="varied unmarked clips")
    parser.add_argument("--fp-first", type=int, default=0,
                        help="index of the first unmarked clip (split one sample across runs)")
    parser.add_argument("--baseline-clips", type=int, default=2, help="per kind, dwtDctSvd")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--preset", default=PRESET, help="x264 preset of the attacks")
    parser.add_argument("--out", type=Path, help="report rewritten here after every clip")
    parser.add_argument("--quick", action="store_true", help="2 clips, 60 unmarked")
    parser.add_argument("--kinds", default=",".join(KINDS), help="comma-separated subset")
    parser.add_argument("--attacks", default=",".join(ATTACKS), help="comma-separated subset")
    args = parser.parse_args()
    _only(args.kinds.split(","), args.attacks.split(","))
    if args.quick:
        args.clips, args.fp_clips, args.baseline_clips = 2, 60, 1
    PRESET = args.preset
    static: dict[str, Any] = {"algorithm": invisible.ALGORITHM, "clip": str(CLIP),
                              "frames_per_clip": FRAMES, "x264_preset": PRESET,
                              "attacks": list(ATTACKS), "baseline": "invisible-watermark "
                              f"dwtDctSvd, {BASELINE_BITS} bits, {BASELINE_FRAMES} frames voted"}
    static["speed"] = speed()
    # Round-robin: every kind advances together; unmarked batches of 25 are spread between.
    tasks: list[tuple[Any, ...]] = []
    end = args.fp_first + args.fp_clips
    fp_batches = [("unmarked", s, min(25, end - s)) for s in range(args.fp_first, end, 25)]
    per_round = -(-len(fp_batches) // max(args.clips, 1))
    for i in range(args.clips):
        tasks += [("marked", k, i, i < args.baseline_clips) for k in KINDS]
        tasks += fp_batches[i * per_round : (i + 1) * per_round]
    if not args.clips:  # false positives only
        tasks = list(fp_batches)
    results: list[dict[str, Any]] = []
    context = multiprocessing.get_context("fork")
    with context.Pool(args.workers) as pool:
        for result in pool.imap(_run, tasks):
            results.append(result)
            print(json.dumps({k: v for k, v in result.items() if k != "baseline"}),
                  file=sys.stderr, flush=True)
            if args.out:
                report = summarise(results, {**static, "complete": False})
                args.out.write_text(json.dumps(report, indent=2))
    report = summarise(results, {**static, "complete": True})
    if args.out:
        args.out.write_text(json.dumps(report, indent=2))
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
