"""Enrollment: a single-use challenge, the upload, and its verification in a worker.

The upload is checked by content and size, stored encrypted, verified by
cameo.verification.verify_enrollment against the owner's earlier face, every other enrolled
face and the protected registry, then deleted whatever the outcome.
"""

import logging
import random
import tempfile
from datetime import timedelta
from pathlib import Path
from uuid import UUID

from django.conf import settings
from django.core.files.storage import Storage
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from accounts.facade import User
from cameo.verification import (
    KnownIdentities,
    VerificationConfig,
    VerificationResult,
    make_challenge,
    verify_enrollment,
)
from cameo.verification.media import MediaError, decode_upload, is_video_container
from core.errors import ConflictError, DomainError
from core.outbox import task_send_on_commit
from core.storage import files_delete_on_commit

from . import events, vault
from .consent_log import consent_log_append
from .likeness import enrolled_candidates, protected_candidates
from .models import Cameo, CameoChallenge, CameoFrame, Enrollment
from .states import cameo_transition, enrollment_transition

logger = logging.getLogger(__name__)
ES = Enrollment.Status


@transaction.atomic
def challenge_create(*, user: User) -> CameoChallenge:
    challenge = make_challenge(random.SystemRandom())
    return CameoChallenge.objects.create(
        user=user, phrase=challenge.phrase, moves=list(challenge.moves),
        expires_at=timezone.now() + timedelta(seconds=settings.CAMEO_CHALLENGE_TTL_S))


def _read_video(upload: UploadedFile) -> bytes:
    if upload.size is None or upload.size > settings.CAMEO_MAX_UPLOAD_BYTES:
        raise DomainError("cameo.upload_too_large", "The video is larger than "
                          f"{settings.CAMEO_MAX_UPLOAD_BYTES // (1024 * 1024)} MB.",
                          status_code=413, fields={"video": ["Too large."]})
    data = upload.read(settings.CAMEO_MAX_UPLOAD_BYTES + 1)
    if len(data) > settings.CAMEO_MAX_UPLOAD_BYTES:
        raise DomainError("cameo.upload_too_large", "The video is too large.", status_code=413,
                          fields={"video": ["Too large."]})
    if not is_video_container(data):
        raise DomainError("cameo.upload_not_video", "Upload an MP4, MOV or WebM video.",
                          status_code=415, fields={"video": ["Not a supported video."]})
    # Decoded now, as the characters door does: a file the worker cannot read is refused
    # here, not accepted and rejected later (sampled sparsely: only decodability counts).
    try:
        decode_upload(data, VerificationConfig(max_bytes=settings.CAMEO_MAX_UPLOAD_BYTES,
                                               sample_fps=1.0))
    except MediaError as exc:
        raise DomainError("cameo.upload_not_video", f"The video cannot be decoded ({exc}).",
                          status_code=415, fields={"video": ["Cannot be decoded."]}) from None
    return data


def _default_audience(user: User) -> str:
    return Cameo.Audience.ONLY_ME if user.is_teen else Cameo.Audience.MUTUALS


def enrollment_start(*, user: User, challenge_id: UUID, video: UploadedFile) -> Enrollment:
    data = _read_video(video)  # the slow part, outside the transaction
    return _enrollment_store(user=user, challenge_id=challenge_id, data=data)


@transaction.atomic
def _enrollment_store(*, user: User, challenge_id: UUID, data: bytes) -> Enrollment:
    challenge = CameoChallenge.objects.select_for_update().filter(pk=challenge_id,
                                                                  user=user).first()
    if challenge is None or challenge.used_at or challenge.expires_at <= timezone.now():
        raise DomainError("cameo.challenge_invalid", "The challenge is unknown, used or "
                          "expired; ask for a new one.", fields={"challenge": ["Invalid."]})
    challenge.used_at = timezone.now()
    challenge.save(update_fields=["used_at"])
    cameo, _ = Cameo.objects.get_or_create(owner=user,
                                           defaults={"audience": _default_audience(user)})
    cameo = Cameo.objects.select_for_update().get(pk=cameo.pk)
    if Enrollment.objects.filter(cameo=cameo, status=ES.PENDING).exists():
        raise ConflictError("cameo.enrollment_pending", "A video is being verified already.")
    if cameo.status == Cameo.Status.REJECTED:
        cameo_transition(cameo_id=cameo.pk, to=Cameo.Status.PENDING, actor_id=user.pk,
                         reason="new_enrollment")
    enrollment = Enrollment.objects.create(cameo=cameo, phrase=challenge.phrase,
                                           moves=challenge.moves)
    enrollment.upload.save(f"{enrollment.pk}.bin",
                           vault.sealed_file(data, bound_to=f"upload:{enrollment.pk}"))
    task_send_on_commit("cameo.tasks.verify_enrollment", str(enrollment.pk))
    return enrollment


def _known(cameo: Cameo) -> KnownIdentities:
    owner = (vault.unseal_encoding(cameo.encoding, bound_to=f"cameo:{cameo.pk}")
             if cameo.status == Cameo.Status.VERIFIED and cameo.encoding else None)
    return KnownIdentities(owner=owner,
                           other_accounts=enrolled_candidates(exclude_owner_id=cameo.owner_id),
                           protected=protected_candidates())


def enrollment_verify(*, enrollment_id: UUID) -> str:
    """Worker side; safe to run twice (a decided enrollment is left alone)."""
    enrollment = Enrollment.objects.select_related("cameo").filter(pk=enrollment_id).first()
    if enrollment is None or enrollment.status != ES.PENDING:
        return "skipped"
    try:
        data = vault.read_sealed_file(enrollment.upload, bound_to=f"upload:{enrollment.pk}")
        with tempfile.TemporaryDirectory(prefix="castline-cameo-") as workdir:
            path = Path(workdir) / "enrollment"
            path.write_bytes(data)
            result = verify_enrollment(path, moves=enrollment.moves, phrase=enrollment.phrase,
                                       known=_known(enrollment.cameo))
    except Exception:
        logger.exception("enrollment verification failed", extra={"id": str(enrollment_id)})
        result = VerificationResult("rejected", ["cameo.verification_failed"])
    return _finish(enrollment_id, result)


def _store_likeness(cameo: Cameo, result: VerificationResult) -> list[tuple[Storage, str]]:
    """Replace the cameo's frames and encodings; returns the old files to delete."""
    old = [(frame.image.storage, frame.image.name) for frame in cameo.frames.all()]
    cameo.frames.all().delete()
    for position, (jpeg, encoding) in enumerate(zip(result.reference_frames, result.encodings,
                                                    strict=True)):
        frame = CameoFrame.objects.create(cameo=cameo, position=position, encoding=b"")
        frame.encoding = vault.seal_encoding(encoding, bound_to=f"frame:{frame.pk}")
        frame.image.save(f"{cameo.pk}-{frame.pk}.bin",
                         vault.sealed_file(jpeg, bound_to=f"frame:{frame.pk}"), save=False)
        frame.save()
    if result.encoding is None:  # a verified result always carries the owner's encoding
        raise RuntimeError("a verified enrollment came back without an encoding")
    cameo.encoding = vault.seal_encoding(result.encoding, bound_to=f"cameo:{cameo.pk}")
    cameo.save(update_fields=["encoding", "updated_at"])
    return old


@transaction.atomic
def _finish(enrollment_id: UUID, result: VerificationResult) -> str:
    enrollment = Enrollment.objects.select_for_update().filter(pk=enrollment_id).first()
    if enrollment is None or enrollment.status != ES.PENDING:
        return "skipped"  # decided by another delivery, or the cameo was deleted meanwhile
    cameo = Cameo.objects.select_for_update().get(pk=enrollment.cameo_id)
    to = ES.VERIFIED if result.verified else ES.REJECTED
    # the worker decides: no acting user; the reason is the verifier's first finding
    enrollment = enrollment_transition(
        enrollment_id=enrollment.pk, to=to, actor_id=None,
        reason="verified" if result.verified else next(iter(result.reasons), "rejected"))
    enrollment.reasons, enrollment.timings = result.reasons, result.timings
    stale = [(enrollment.upload.storage, enrollment.upload.name)]
    enrollment.upload = ""  # type: ignore[assignment]
    enrollment.save(update_fields=["reasons", "timings", "upload"])
    if result.verified:
        stale += _store_likeness(cameo, result)
        if cameo.status == Cameo.Status.PENDING:
            cameo = cameo_transition(cameo_id=cameo.pk, to=Cameo.Status.VERIFIED,
                                     actor_id=None, reason="enrollment_verified")
        consent_log_append(owner_id=cameo.owner_id, kind="enrolled", actor_id=cameo.owner_id,
                           data={"enrollment_id": str(enrollment.pk)})
    elif cameo.status == Cameo.Status.PENDING:
        cameo = cameo_transition(cameo_id=cameo.pk, to=Cameo.Status.REJECTED, actor_id=None,
                                 reason="enrollment_rejected")
    events.enrollment_publish(cameo, enrollment)
    files_delete_on_commit(stale)
    return to
