"""The video a character is made from: checked by content, bounded in size and duration,
decoded with the enrollment's safe decoder, and searched for human faces with the
enrollment's detector. A face is allowed only when it is the uploader's own verified cameo."""

import io
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from django.conf import settings
from PIL import Image

from accounts.facade import User
from cameo.verification import Candidate, VerificationConfig, match_identity
from cameo.verification.faces import detect_faces
from cameo.verification.media import MediaError, decode_upload, is_video_container
from core.errors import DomainError

from . import vault
from .likeness import THRESHOLD, protected_candidates
from .models import Cameo

# Faces are looked for on this many evenly spaced frames (a CPU bound on the request).
FACE_FRAMES = 8


@dataclass(frozen=True)
class CharacterMedia:
    reference_jpeg: bytes  # the frame that conditions generation
    shows_owner: bool  # a face was found, and it is the uploader's verified cameo


def _refuse(code: str, message: str, status: int = 400) -> DomainError:
    return DomainError(code, message, status_code=status, fields={"video": [message]})


def _config() -> VerificationConfig:
    return VerificationConfig(max_bytes=settings.CHARACTER_MAX_UPLOAD_BYTES,
                              max_seconds=float(settings.CHARACTER_MAX_SECONDS),
                              min_seconds=0.0, sample_fps=2.0, analysis_width=640)


def check_container(data: bytes) -> None:
    if len(data) > settings.CHARACTER_MAX_UPLOAD_BYTES:
        raise _refuse("character.video_too_large", "The video is larger than "
                      f"{settings.CHARACTER_MAX_UPLOAD_BYTES // (1024 * 1024)} MB.", 413)
    if not is_video_container(data):
        raise _refuse("character.not_a_video", "Upload an MP4, MOV or WebM video.", 415)


def _decode(data: bytes) -> list[npt.NDArray[np.uint8]]:
    config = _config()
    try:
        duration, sample = decode_upload(data, config)
    except MediaError as exc:
        raise _refuse("character.not_a_video", f"The video cannot be decoded ({exc}).",
                      415) from None
    if duration > config.max_seconds:
        raise _refuse("character.video_too_long", "A character video is at most "
                      f"{settings.CHARACTER_MAX_SECONDS} seconds long.")
    return [frame.rgb for frame in sample.frames]


def _own_cameo(user: User) -> list[Candidate]:
    """The uploader's verified likeness (mean and per-frame encodings), if any."""
    cameo = Cameo.objects.filter(owner=user, status=Cameo.Status.VERIFIED,
                                 encoding__isnull=False).first()
    if cameo is None:
        return []
    own = [Candidate("own", vault.unseal_encoding(bytes(cameo.encoding or b""),
                                                  bound_to=f"cameo:{cameo.pk}"))]
    return own + [Candidate("own", vault.unseal_encoding(bytes(blob), bound_to=f"frame:{pk}"))
                  for pk, blob in cameo.frames.values_list("pk", "encoding")]


def _check_faces(user: User, frames: list[npt.NDArray[np.uint8]]) -> bool:
    """True when faces were found (all of them the uploader's own); refuses any other."""
    picks = np.linspace(0, len(frames) - 1, num=min(FACE_FRAMES, len(frames))).round()
    faces = [face for index in dict.fromkeys(int(i) for i in picks)
             for face in detect_faces(frames[index])]
    if not faces:
        return False
    protected, own = protected_candidates(), _own_cameo(user)
    for face in faces:
        if match_identity(face.encoding, protected, THRESHOLD) is not None:
            raise _refuse("character.protected_likeness",
                          "The video shows a protected likeness.")
        if match_identity(face.encoding, own, THRESHOLD) is None:
            raise _refuse("character.human_face", "Characters are made of pets, toys or "
                          "drawings: the video shows a human face that is not your own "
                          "verified cameo.")
    return True


def character_media(*, user: User, data: bytes) -> CharacterMedia:
    """The reference frame of an acceptable upload, or a 4xx saying why not."""
    check_container(data)
    frames = _decode(data)
    shows_owner = _check_faces(user, frames)
    out = io.BytesIO()
    Image.fromarray(frames[len(frames) // 2]).save(out, format="JPEG", quality=92)
    return CharacterMedia(reference_jpeg=out.getvalue(), shows_owner=shows_owner)
