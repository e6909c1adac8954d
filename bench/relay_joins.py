"""Continuity across a story relay's joins: the real tiny model, the worker's way of stitching.

Each person's segment is generated conditioned on the last frame of the stored file before it,
the stored file is decoded (as the worker decodes the source) and the new segment joined on,
then encoded again: three people, two joins. Prints JSON: per join the click ratio, the gap and
the picture's jump ratio (generation.media.continuity), with the cuts faded (what the worker
does) against the plain cut of the same audio in the same run (the baseline). Never fails.

    .venv/bin/python bench/relay_joins.py [--seconds 4] [--size 96x160] [--seed 0]
"""

import argparse
import io
import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "platform")]
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.test_settings")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=4)
    parser.add_argument("--size", default="96x160")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    width, height = (int(side) for side in args.size.split("x"))

    import numpy as np

    from generation.backends import GenerationSpec, get_backend
    from generation.backends.base import GenerationResult
    from generation.media import concat_results, encode_mp4
    from generation.media.continuity import audio_joins, frame_joins
    from generation.media.decode import decode_audio
    from generation.provenance.media import read_frames

    backend = get_backend(None, "cpu")
    stored = b""
    plain_audio = None
    joins: list[int] = []
    for person, prompt in enumerate(["a kite over a beach", "the kite dives into the sea",
                                     "a fish carries the kite away"]):
        source = read_frames(stored)[0] if stored else None
        spec = GenerationSpec(prompt=prompt, width=width, height=height,
                              num_frames=args.seconds * 24, fps=24, seed=args.seed + person,
                              num_inference_steps=2,
                              condition_image=None if source is None else
                              np.array(source[-1], dtype=np.uint8))
        segment = backend.generate(spec)
        if source is None:
            whole, plain = segment, segment
        else:
            rate = segment.sample_rate
            before = GenerationResult(frames=source, fps=24, sample_rate=rate,
                                      audio=decode_audio(stored, sample_rate=rate))
            joins.append(len(source))
            whole = concat_results([before, segment], fade_cuts=True)
            plain = concat_results([before, segment])
            plain_audio = plain.audio
        buffer = io.BytesIO()
        encode_mp4(whole, buffer)
        stored = buffer.getvalue()
    frames = read_frames(stored)[0]
    rate = 48000
    final = decode_audio(stored, sample_rate=rate)
    assert final is not None and plain_audio is not None
    cuts = [round(j * rate / 24) for j in joins]
    faded = audio_joins(final, rate, cuts)
    # The last join without fades: the same decoded-then-joined audio, cut plainly.
    plain_rate = segment.sample_rate
    plain_cut = audio_joins(plain_audio, plain_rate, [round(joins[-1] * plain_rate / 24)])[0]
    faded_here = audio_joins(whole.audio, plain_rate, [round(joins[-1] * plain_rate / 24)])[0]
    print(json.dumps({
        "joins": [{"at_s": round(a.at_s, 3), "click_ratio": round(a.click_ratio, 2),
                   "gap_ms": round(a.gap_ms, 2), "level_step_db": round(a.level_step_db, 1),
                   "at_frame": f.at_frame, "frame_jump_ratio": round(f.jump_ratio, 2)}
                  for a, f in zip(faded, frame_joins(frames, joins), strict=True)],
        "last_join_before_encoding": {"plain_cut_click_ratio": round(plain_cut.click_ratio, 2),
                                      "faded_click_ratio": round(faded_here.click_ratio, 2),
                                      "ratio": round(faded_here.click_ratio /
                                                     plain_cut.click_ratio, 3)},
    }, indent=2))


if __name__ == "__main__":
    main()
