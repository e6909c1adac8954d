"""Liveness from 68-point landmarks over time: head turns and non-rigid motion.

Landmark indices follow dlib's 68-point model: 0-16 jaw, 30 nose tip, 36-41 / 42-47 eyes.
"""

from collections.abc import Sequence

import numpy as np

JAW_LEFT, JAW_RIGHT, NOSE_TIP = 0, 16, 30


def yaw_proxy(landmarks: np.ndarray) -> float:
    """Where the nose tip sits between the jaw ends, in [-1, 1]; 0 is frontal.

    Positive: the nose points to the image's right, i.e. the subject turned to their own
    left in an unmirrored recording.
    """
    left, right = landmarks[JAW_LEFT, 0], landmarks[JAW_RIGHT, 0]
    span = right - left
    if span <= 1e-6:
        return 0.0
    ratio = (landmarks[NOSE_TIP, 0] - left) / span
    return float(np.clip(2.0 * ratio - 1.0, -1.0, 1.0))


def smooth(values: Sequence[float]) -> list[float]:
    """Median of 3: removes single-frame landmark glitches without delaying turns."""
    v = list(values)
    if len(v) < 3:
        return v
    return [v[0]] + [float(np.median(v[i - 1 : i + 2])) for i in range(1, len(v) - 1)] + [v[-1]]


def detect_turns(yaws: Sequence[float], *, on: float, off: float, mirrored: bool) -> list[str]:
    """Turn events in order: entering |yaw| > on from near-centre (hysteresis down to off).

    Counting starts at the first frame facing the camera, so a video that opens mid-turn
    does not count that turn.
    """
    turns: list[str] = []
    state: int | None = None  # None until centred, then -1, 0, +1: current side of the head
    for yaw in smooth(yaws):
        side = 1 if yaw > on else -1 if yaw < -on else 0
        if state is None:
            state = 0 if abs(yaw) < off else None
        elif side and side != state:
            left = (side > 0) != mirrored
            turns.append("left" if left else "right")
            state = side
        elif state and abs(yaw) < off:
            state = 0
    return turns


def _inter_ocular(points: np.ndarray) -> float:
    return float(np.linalg.norm(points[36:42].mean(axis=0) - points[42:48].mean(axis=0)))


def similarity_residual(src: np.ndarray, dst: np.ndarray) -> float:
    """RMS error, in eye distances of `dst`, of the best similarity transform src -> dst.

    Umeyama's closed form: rotation, uniform scale and translation (no reflection).
    """
    mu_s, mu_d = src.mean(axis=0), dst.mean(axis=0)
    s, d = src - mu_s, dst - mu_d
    u, sig, vt = np.linalg.svd(d.T @ s)
    sign = np.sign(np.linalg.det(u @ vt)) or 1.0
    diag = np.array([1.0, sign])
    rot = u @ np.diag(diag) @ vt
    scale = float((sig * diag).sum() / (s**2).sum())
    fitted = scale * s @ rot.T
    rms = float(np.sqrt(np.mean(np.sum((fitted - d) ** 2, axis=1))))
    return rms / max(_inter_ocular(dst), 1e-6)


def nonrigid_motion(landmark_track: Sequence[np.ndarray]) -> float:
    """How far the face shape departs from a rigid 2-D (photo) motion over the video.

    Each frame is compared with the median-yaw frame; the 90th
    percentile keeps one bad landmark fit from deciding.
    """
    if len(landmark_track) < 2:
        return 0.0
    yaws = [yaw_proxy(p) for p in landmark_track]
    ref = landmark_track[int(np.argsort(yaws)[len(yaws) // 2])]
    residuals = [similarity_residual(ref, p) for p in landmark_track]
    return float(np.percentile(residuals, 90))
