"""Seconds per generation job on the tiny built-in model, split by phase; prints JSON.

Job: 4 s, 24 fps, 480x854 (9:16 480p) with audio. Phases: model (backend.generate, itself split
by the progress stages), encode (MP4), post-processing (thumbnail), overhead (the rest of the
job: temp file handling, bookkeeping). Baseline in the same run: encoding the same
frames alone, so the model's cost can be read as a ratio. Never fails: errors go in the JSON.

Long jobs (--long 20,60): a job made in segments (generation/segments.py) the way the worker
makes it: each segment generated, spooled to disk, then read back segment by segment through
the marks, the MP4 encoder, the watermark read-back, thumbnail, spritesheet and C2PA signing,
and stored (copied) once. Each length runs in a fresh process, so its peak RSS is its own: a
flat peak from 20 s to 60 s is memory bounded by the segment. Reported: each phase, and the
non-model share of the job (everything but backend.generate).

Run: .venv/bin/python bench/generation.py [--jobs N] [--threads N]
     [--long 20,60 --segment 10 --width 480 --height 854]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
import traceback
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from stages import stage_seconds  # bench/stages.py, beside this script

SPEC_ARGS: dict[str, Any] = {
    "prompt": "a corgi surfing a wave at sunset, handheld camera",
    "width": 480,
    "height": 854,
    "num_frames": 96,
    "fps": 24.0,
    "with_audio": True,
    "num_inference_steps": 8,
}


def run(jobs: int, threads: int) -> dict[str, Any]:
    started = time.perf_counter()
    import torch

    from generation.backends import GenerationSpec, get_backend
    from generation.media import encode_mp4, make_thumbnail

    torch.set_num_threads(threads)
    imported = time.perf_counter()
    backend = get_backend(None, "cpu")
    built = time.perf_counter()
    spec = GenerationSpec(**SPEC_ARGS)
    backend.generate(spec)  # warm-up: first call pays one-off allocations
    warmed = time.perf_counter()

    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as tmp:
        for job in range(jobs):
            events: list[tuple[float, str]] = []

            def record(
                _fraction: float, stage: str, events: list[tuple[float, str]] = events
            ) -> None:
                events.append((time.perf_counter(), stage))

            job_start = time.perf_counter()
            t0 = time.perf_counter()
            result = backend.generate(GenerationSpec(**{**SPEC_ARGS, "seed": job}), record)
            t1 = time.perf_counter()
            path = encode_mp4(result, Path(tmp) / f"job{job}.mp4")
            t2 = time.perf_counter()
            thumbnail = make_thumbnail(result.frames)
            t3 = time.perf_counter()
            size = path.stat().st_size
            path.unlink()
            job_end = time.perf_counter()
            rows.append(
                {
                    "model": t1 - t0,
                    "encode": t2 - t1,
                    "postprocess_thumbnail": t3 - t2,
                    "overhead": (job_end - job_start) - (t3 - t0),
                    "total": job_end - job_start,
                    "model_stages": stage_seconds(events),
                    "mp4_bytes": size,
                    "thumbnail_bytes": len(thumbnail),
                }
            )
        # Baseline: encode the last job's frames + audio again, with no model in the loop.
        baseline_times = []
        for repeat in range(jobs):
            t0 = time.perf_counter()
            encode_mp4(result, Path(tmp) / f"baseline{repeat}.mp4")
            baseline_times.append(time.perf_counter() - t0)

    def median(key: str) -> float:
        return round(statistics.median(row[key] for row in rows), 4)

    phases = ("model", "encode", "postprocess_thumbnail", "overhead", "total")
    split = {key: median(key) for key in phases}
    baseline = round(statistics.median(baseline_times), 4)
    return {
        "benchmark": "generation_job_tiny_model",
        "job": {k: v for k, v in SPEC_ARGS.items() if k != "prompt"},
        "torch_threads": threads,
        "jobs": jobs,
        "seconds_per_job_median": split,
        "model_stage_seconds_last_job": rows[-1]["model_stages"],
        "cold_start_seconds": {
            "import": round(imported - started, 4),
            "build_tiny_pipeline": round(built - imported, 4),
            "first_job_warmup": round(warmed - built, 4),
        },
        "baseline_encode_only_seconds": baseline,
        "ratio_total_to_encode_only": round(split["total"] / baseline, 3) if baseline else None,
        "ratio_model_to_encode_only": round(split["model"] / baseline, 3) if baseline else None,
        "mp4_bytes_last_job": rows[-1]["mp4_bytes"],
        "thumbnail_bytes_last_job": rows[-1]["thumbnail_bytes"],
        "per_job": [
            {k: round(v, 4) if isinstance(v, float) else v for k, v in row.items()} for row in rows
        ],
    }


def long_job(seconds: int, segment: int, width: int, height: int, threads: int
             ) -> dict[str, Any]:
    """One long job in this process (a child of main): its phases and its peak RSS."""
    import os
    import resource
    import shutil
    from dataclasses import replace

    data_dir = tempfile.mkdtemp(prefix="castline-bench-")
    os.environ["DATA_DIR"] = data_dir  # dev signing keys go here, not into the project
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "platform"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    import torch

    from generation.backends import GenerationSpec, get_backend
    from generation.media import last_frame, make_spritesheet, make_thumbnail
    from generation.postprocess import mark_and_encode_segments
    from generation.provenance.c2pa_sign import ManifestSpec, sign_mp4
    from generation.provenance.credentials import ensure_dev_credentials
    from generation.segments import Spool, segment_specs

    torch.set_num_threads(threads)
    backend = get_backend(None, "cpu")
    whole = GenerationSpec(**{**SPEC_ARGS, "width": width, "height": height,
                              "num_frames": seconds * 24})
    backend.generate(GenerationSpec(**{**SPEC_ARGS, "width": width, "height": height}))
    phases = dict.fromkeys(("model", "spool", "marks_encode_readback", "thumbnail_sprites",
                            "c2pa_sign", "store"), 0.0)
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="castline-job-") as workdir:
        spool = Spool(Path(workdir))
        condition = None
        for spec in segment_specs([whole], segment_frames=segment * 24):
            t0 = time.perf_counter()
            result = backend.generate(replace(spec, condition_image=condition))
            t1 = time.perf_counter()
            condition = last_frame(result)
            spool.add(result)
            del result
            phases["model"] += t1 - t0
            phases["spool"] += time.perf_counter() - t1
        plain = Path(workdir) / "plain.mp4"
        t0 = time.perf_counter()
        middle, picked = mark_and_encode_segments(spool, handle="bench", watermark_id=7,
                                                  out=plain)
        t1 = time.perf_counter()
        make_thumbnail(middle), make_spritesheet(picked)
        t2 = time.perf_counter()
        signed = Path(workdir) / "signed.mp4"
        sign_mp4(plain, signed, ManifestSpec(title="bench", model="castline-tiny",
                                             watermark_payload=7),
                 ensure_dev_credentials(data_dir).credentials())
        t3 = time.perf_counter()
        shutil.copy(signed, Path(data_dir) / "stored.mp4")
        t4 = time.perf_counter()
        phases["marks_encode_readback"] = t1 - t0
        phases["thumbnail_sprites"], phases["c2pa_sign"], phases["store"] = (
            t2 - t1, t3 - t2, t4 - t3)
        size = signed.stat().st_size
    total = time.perf_counter() - started
    shutil.rmtree(data_dir, ignore_errors=True)
    return {"seconds": seconds, "segment_seconds": segment, "size": f"{width}x{height}",
            "phase_seconds": {k: round(v, 3) for k, v in phases.items()},
            "total_seconds": round(total, 3),
            "non_model_share": round((total - phases["model"]) / total, 4),
            "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
            "whole_video_frames_mb": round(seconds * 24 * width * height * 3 / 2**20, 1),
            "mp4_bytes": size}


def long_jobs(lengths: list[int], segment: int, width: int, height: int, threads: int
              ) -> dict[str, Any]:
    import subprocess

    rows = []
    for seconds in lengths:
        child = subprocess.run(
            [sys.executable, __file__, "--long-child", str(seconds), "--segment", str(segment),
             "--width", str(width), "--height", str(height), "--threads", str(threads)],
            capture_output=True, text=True, check=False)
        try:
            rows.append(json.loads(child.stdout))
        except json.JSONDecodeError:
            rows.append({"seconds": seconds, "error": child.stderr[-2000:]})
    peaks = [row.get("peak_rss_mb") for row in rows]
    ratio = (round(peaks[-1] / peaks[0], 3)
             if len(rows) > 1 and all(isinstance(p, float) for p in peaks) else None)
    return {"benchmark": "generation_long_job_tiny_model", "jobs": rows,
            "ratio_peak_rss_longest_to_shortest": ratio}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--jobs", type=int, default=3)
    parser.add_argument("--threads", type=int, default=1, help="torch CPU threads (one core)")
    parser.add_argument("--long", default="", help="long job lengths in seconds, e.g. 20,60")
    parser.add_argument("--long-child", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--segment", type=int, default=20)
    parser.add_argument("--width", type=int, default=480)
    parser.add_argument("--height", type=int, default=854)
    args = parser.parse_args()
    if args.long_child:
        print(json.dumps(long_job(args.long_child, args.segment, args.width, args.height,
                                  max(1, args.threads))))
        return
    try:
        if args.long:
            report = long_jobs([int(s) for s in args.long.split(",")], args.segment,
                               args.width, args.height, max(1, args.threads))
        else:
            report = run(max(1, args.jobs), max(1, args.threads))
    except Exception as error:  # a benchmark reports failures, it never crashes CI
        report = {
            "benchmark": "generation_job_tiny_model",
            "error": f"{type(error).__name__}: {error}",
            "traceback": traceback.format_exc(limit=5),
        }
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
