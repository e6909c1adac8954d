"""Synthetic videos for the characters tests: shapes drawn with numpy, encoded with PyAV."""

import io

import av
import numpy as np


def encode_mp4(frames: list[np.ndarray], fps: int = 12) -> bytes:
    out = io.BytesIO()
    with av.open(out, mode="w", format="mp4") as container:
        stream = container.add_stream("libx264", rate=fps)
        stream.height, stream.width = frames[0].shape[:2]
        stream.pix_fmt = "yuv420p"
        for rgb in frames:
            for packet in stream.encode(av.VideoFrame.from_ndarray(rgb, format="rgb24")):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return out.getvalue()


def toy_video(seconds: float = 2.0, fps: int = 12, color=(240, 180, 20)) -> bytes:
    """A yellow ball bouncing over a blue floor: no face anywhere."""
    frames = []
    for i in range(int(seconds * fps)):
        rgb = np.full((240, 320, 3), (30, 60, 160), dtype=np.uint8)
        rgb[180:, :] = (90, 140, 60)
        y, x = np.ogrid[:240, :320]
        cx, cy = 60 + i * 8, 120 + int(40 * np.sin(i / 3))
        rgb[(x - cx) ** 2 + (y - cy) ** 2 < 30 ** 2] = color
        frames.append(rgb)
    return encode_mp4(frames, fps)
