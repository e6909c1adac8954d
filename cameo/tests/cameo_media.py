"""Builders of enrollment-like videos for the verification tests (PyAV, temporary folders).

The real photos and clip are read from the shared fixtures folder and never copied here.
"""

from collections.abc import Iterable, Iterator
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import pytest
from PIL import Image

from tests.faces import faces_dir

FACES_DIR = faces_dir()
SIZE = (640, 360)
AUDIO_RATE = 16_000


def fixture_path(name: str) -> Path:
    path = FACES_DIR / name
    if not path.is_file():
        pytest.skip(f"face fixture {path} is absent (set FACES_FIXTURES_DIR)")
    return path


def speech_like(seconds: float, rate: int = AUDIO_RATE) -> np.ndarray:
    """Voiced syllables (140 Hz with harmonics, ~4 per second) separated by short pauses."""
    t = np.arange(int(seconds * rate)) / rate
    voice = sum(np.sin(2 * np.pi * 140 * k * t) / k for k in range(1, 6))
    envelope = np.clip(np.sin(2 * np.pi * 4 * t), 0, None) ** 2
    return (0.3 * voice * envelope).astype(np.float32)


def write_video(
    path: Path,
    frames: Iterable[np.ndarray],
    fps: int,
    audio: np.ndarray | None,
    size: tuple[int, int] = SIZE,
) -> Path:
    """H.264 (+ AAC mono at 16 kHz when audio is given) MP4."""
    with av.open(str(path), "w") as out:
        video = out.add_stream("libx264", rate=fps)
        video.width, video.height = size
        video.pix_fmt = "yuv420p"
        video.options = {"preset": "ultrafast"}
        sound = out.add_stream("aac", rate=AUDIO_RATE, layout="mono") if audio is not None else None
        for rgb in frames:
            out.mux(video.encode(av.VideoFrame.from_ndarray(rgb, format="rgb24")))
        out.mux(video.encode())
        if sound is not None and audio is not None:
            chunk = 1024
            for i in range(0, audio.size, chunk):
                frame = av.AudioFrame.from_ndarray(
                    audio[None, i : i + chunk], format="flt", layout="mono"
                )
                frame.sample_rate = AUDIO_RATE
                frame.pts = i
                frame.time_base = Fraction(1, AUDIO_RATE)
                out.mux(sound.encode(frame))
            out.mux(sound.encode())
    return path


def clip_frames(path: Path, start: float, end: float) -> Iterator[np.ndarray]:
    with av.open(str(path)) as container:
        first = None
        for frame in container.decode(video=0):
            first = frame.time if first is None else first
            t = frame.time - first
            if start <= t < end:
                yield frame.reformat(width=SIZE[0], height=SIZE[1], format="rgb24").to_ndarray()
            elif t >= end:
                return


def clip_audio(path: Path, start: float, end: float) -> np.ndarray:
    resampler = av.AudioResampler(format="flt", layout="mono", rate=AUDIO_RATE)
    chunks = []
    with av.open(str(path)) as container:
        for frame in container.decode(audio=0):
            chunks += [f.to_ndarray().reshape(-1) for f in resampler.resample(frame)]
    samples = np.concatenate(chunks)
    return samples[int(start * AUDIO_RATE) : int(end * AUDIO_RATE)].astype(np.float32)


def still_frames(image: Path, seconds: float, fps: int) -> Iterator[np.ndarray]:
    """A slow zoom and pan over one photo: the kind of 'video' a replay attack uploads."""
    photo = Image.open(image).convert("RGB")
    # Letterbox the whole photo into 16:9 so the face stays in frame while zooming.
    height = photo.height
    width = max(photo.width, round(height * SIZE[0] / SIZE[1]))
    canvas = Image.new("RGB", (width, round(width * SIZE[1] / SIZE[0])))
    canvas.paste(photo, ((canvas.width - photo.width) // 2, (canvas.height - photo.height) // 2))
    n = int(seconds * fps)
    for i in range(n):
        p = i / max(n - 1, 1)
        zoom = 1.0 - 0.15 * p
        cw, ch = canvas.width * zoom, canvas.height * zoom
        x = (canvas.width - cw) * (0.5 + 0.4 * (p - 0.5))
        y = (canvas.height - ch) * 0.5
        box = (x, y, x + cw, y + ch)
        yield np.asarray(canvas.resize(SIZE, Image.Resampling.BILINEAR, box=box))


# Measured with liveness.yaw_proxy on the close-up of performer_clip.mp4 (2.7-7.0 s after the
# first frame; before it is a wide shot with a tiny face, after it a cut to the audience):
# the nose swings to the image's left, right, left again = the performer's own right, left, right.
PERFORMER_SPAN = (2.7, 7.0)
PERFORMER_TURNS = ["right", "left", "right"]
PHRASE = "apple river orange window"
