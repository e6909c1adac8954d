"""Face detection, 68-point landmarks and 128-d encodings (face_recognition's dlib models).

The models are loaded once per process; landmarks are computed once per face and reused for
both liveness and the encoding (face_recognition.face_encodings would compute them again).
"""

from dataclasses import dataclass
from functools import cache
from typing import Any

import dlib
import face_recognition_models
import numpy as np


@dataclass(frozen=True)
class Face:
    box: tuple[int, int, int, int]  # left, top, right, bottom in analysis pixels
    landmarks: np.ndarray  # 68 x 2 float
    encoding: np.ndarray  # 128-d


@cache
def load_models() -> tuple[Any, Any, Any]:
    """Detector, 68-point predictor, encoder; call once at worker start to warm up."""
    return (
        dlib.get_frontal_face_detector(),
        dlib.shape_predictor(face_recognition_models.pose_predictor_model_location()),
        dlib.face_recognition_model_v1(face_recognition_models.face_recognition_model_location()),
    )


def detect_faces(rgb: np.ndarray, *, upsample: int = 0) -> list[Face]:
    """All faces in an RGB frame with landmarks and encodings (the encoding is ~80% of the cost)."""
    detector, predictor, encoder = load_models()
    faces = []
    for rect in detector(rgb, upsample):
        shape = predictor(rgb, rect)
        points = np.array([(p.x, p.y) for p in shape.parts()], dtype=np.float64)
        encoding = np.array(encoder.compute_face_descriptor(rgb, shape))
        box = (rect.left(), rect.top(), rect.right(), rect.bottom())
        faces.append(Face(box=box, landmarks=points, encoding=encoding))
    return faces


def encode_image(rgb: np.ndarray) -> list[np.ndarray]:
    """Encodings of every face in a still image (upsampled once: photos may hold small faces)."""
    return [face.encoding for face in detect_faces(rgb, upsample=1)]
