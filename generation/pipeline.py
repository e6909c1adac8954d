"""Running one job in a worker. Safe to run twice for the same job: a claim token decides
which delivery owns the run, and the final store re-checks it under a row lock."""

import functools
import logging
import secrets
import tempfile
from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from uuid import UUID

import numpy as np
import numpy.typing as npt
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.files.base import ContentFile, File
from django.core.files.storage import default_storage
from django.db import InterfaceError, OperationalError, connection, transaction
from django.utils import timezone

from core.errors import DomainError
from moderation import facade as moderation

from .backends import (
    GenerationCancelled,
    GenerationResult,
    GenerationSpec,
    VideoBackend,
    get_backend,
)
from .backends.acceleration import StepOptions
from .backends.fit import audio_samples_for
from .casting import CastMember, FenceOutcome, casting
from .consent import CONSENT_WITHDRAWN
from .dispatch import video_enqueue
from .manifests import manifest_record_store
from .media import concat_results, last_frame
from .media.decode import decode_audio
from .media.encode import AAC_SAMPLE_RATE
from .media.reference import reference_frame
from .models import Video
from .postprocess import package
from .progress import ClaimLost, ProgressReporter
from .provenance.media import iter_frames, read_frames
from .segments import Spool, segment_plan, segment_specs
from .specs import FPS, frame_size, shot_specs, shot_texts
from .transitions import video_transition

logger = logging.getLogger(__name__)
S = Video.Status


class Stop(Exception):  # noqa: N818 - carries the terminal status to end a run with
    def __init__(self, status: str, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


@transaction.atomic
def _claim(video_id: UUID) -> str | None:
    """Take the job for this delivery; None when it is done, or alive in another worker."""
    video = Video.objects.select_for_update().filter(pk=video_id).first()
    if video is None or video.is_terminal:
        return None
    stale_before = timezone.now() - timedelta(seconds=settings.GENERATION_STALE_AFTER_S)
    if video.status == S.IN_PROGRESS and video.heartbeat_at and video.heartbeat_at > stale_before:
        return None  # a duplicate delivery while the first one is still working
    if video.status == S.IN_PROGRESS:
        video_transition(video_id=video.pk, to=S.QUEUED, reason="worker lost; retrying")
    token = secrets.token_hex(16)
    Video.objects.filter(pk=video.pk).update(run_token=token, attempts=video.attempts + 1)
    video_transition(video_id=video.pk, to=S.IN_PROGRESS, reason="worker started")
    return token


def _fence(video_id: UUID) -> None:
    verdict = casting().fence(video_id=video_id)
    if verdict.outcome is FenceOutcome.PARKED:
        raise ClaimLost()  # the provider put the job back in the queue to wait for an owner
    if verdict.outcome is FenceOutcome.BROKEN:
        raise Stop(S.BLOCKED, verdict.code, CONSENT_WITHDRAWN)


def _check_prompt_model(video: Video) -> None:
    """First stage, before any model time: the second-stage safety model reads the prompts the
    lexicon let through. A block ends the job with its reason code (credits released by the
    transition); review holds the video like a review at creation. The negative prompt is left
    out: it lists what must not appear, so it reads as unsafe by design."""
    texts = [video.prompt, *(t for shot in video.shots for t in shot_texts(shot) if t)]
    decision = moderation.prompt_model_check(texts=texts, teen=video.owner.is_teen)
    if decision is None or decision.action == "allow":
        return
    if decision.open_case:
        moderation.case_open_for_automatic_hit(
            target_type="video", target_id=str(video.pk), owner_id=video.owner_id,
            codes=list(decision.codes), summary=video.prompt[:200])
    if decision.blocked:
        raise Stop(S.BLOCKED, decision.codes[0], decision.message)
    Video.objects.filter(pk=video.pk).update(held_for_review=True)


def _input_reference(video: Video) -> npt.NDArray[np.uint8] | None:
    """The client's own first frame (POST /v1/videos input_reference), when it gave one."""
    name = video.provenance.get("input_reference")
    if not name:
        return None
    with default_storage.open(name, "rb") as handle:
        return reference_frame(handle.read())


def _extension_source(video: Video) -> bytes | None:
    """The file of the video this one extends."""
    source_id = video.provenance.get("extends")
    if not source_id:
        return None
    source = Video.objects.filter(pk=source_id, deleted_at__isnull=True).first()
    # Taken down (moderation, a cameo's consent) or deleted since the job was made: the
    # whole would carry it again.
    if source is None or not source.video_file or source.status != S.COMPLETED:
        raise Stop(S.FAILED, "generation.extension_source_gone",
                   "The video being continued was deleted or taken down; your credits were "
                   "returned.")
    with source.video_file.open("rb") as handle:
        return handle.read()


def step_options() -> StepOptions:
    """The denoising step's settings (GENERATION_COMPILE, _ATTENTION, _FP8, ...)."""
    return StepOptions(compile_mode=settings.GENERATION_COMPILE,
                       attention=settings.GENERATION_ATTENTION, fp8=settings.GENERATION_FP8,
                       text_encoder_device=settings.GENERATION_TEXT_ENCODER_DEVICE,
                       offload=settings.GENERATION_OFFLOAD,
                       vae_tiling=settings.GENERATION_VAE_TILING)


def worker_backend() -> VideoBackend:
    """The backend this deployment runs (GENERATION_BACKEND, else by model path)."""
    return get_backend(settings.GENERATION_MODEL_PATH or None,
                       settings.GENERATION_DEVICE or None, name=settings.GENERATION_BACKEND,
                       options=step_options())


def warm_up_spec() -> GenerationSpec:
    """The app's default job (9:16 480p, 4 s with audio): the shape a warm-up compiles for."""
    width, height = frame_size("9:16", "480p")
    return GenerationSpec(prompt="warm-up", width=width, height=height, num_frames=4 * FPS,
                          fps=FPS, num_inference_steps=settings.GENERATION_INFERENCE_STEPS)


def _specs(video: Video) -> list[GenerationSpec]:
    preferences = list(video.provenance.get("preferences", []))
    return shot_specs(shots=video.shots, style=video.style,
                      negative_prompt=video.negative_prompt, width=video.width,
                      height=video.height, seed=video.seed, with_audio=video.with_audio,
                      preferences=preferences)


def _first_condition(video: Video) -> npt.NDArray[np.uint8] | None:
    condition = _input_reference(video)
    references = casting().reference_frames(video_id=video.pk)
    if condition is None and references:
        condition = references[0]
    return condition


def _generate(video: Video, reporter: ProgressReporter) -> GenerationResult:
    backend = worker_backend()
    specs = _specs(video)
    condition = _first_condition(video)
    extending = _extension_source(video)
    source_frames = read_frames(extending)[0] if extending else None
    if source_frames is not None:
        condition = np.array(source_frames[-1], dtype=np.uint8)  # continue where it ends
    results = []
    for index, spec in enumerate(specs):
        _fence(video.pk)
        reporter.start_shot(index)
        if condition is not None:
            spec = replace(spec, condition_image=condition)
        result = backend.generate(spec, reporter)
        results.append(result)
        condition = last_frame(result)  # shot-to-shot continuity
    if extending is not None and source_frames is not None:
        # The stitched whole: the source as it was stored, then the new segment.
        rate = results[0].sample_rate
        results.insert(0, GenerationResult(frames=source_frames, fps=results[0].fps,
                                           audio=decode_audio(extending, sample_rate=rate),
                                           sample_rate=rate))
    if len(results) == 1:
        return results[0]
    # A relay's cuts fade in and out (no click where two people's sound meet).
    return concat_results(results, fade_cuts=extending is not None)


def in_segments(video: Video) -> bool:
    """Longer than one segment (an extension: its whole, the source included): made segment
    by segment through a spool on disk."""
    return video.seconds > settings.GENERATION_SEGMENT_SECONDS


def _segment_frames() -> int:
    return settings.GENERATION_SEGMENT_SECONDS * FPS


def _segment_specs(video: Video) -> list[GenerationSpec]:
    return segment_specs(_specs(video), segment_frames=_segment_frames())


def _overlap_frames(backend: VideoBackend) -> int:
    """How many of the last frames a continuing segment is conditioned on."""
    wanted = settings.GENERATION_OVERLAP_FRAMES or int(getattr(backend, "overlap_frames", 1))
    return max(1, wanted)


def _spool_source(source: bytes, spool: Spool, sample_rate: int
                  ) -> npt.NDArray[np.uint8] | None:
    """An extension's source, as it was stored, into the spool a segment's frames at a time
    (its sound, mono, is decoded whole: about 4 MB a minute at 16 kHz); returns its last
    frames, which the first new segment continues."""
    audio = decode_audio(source, sample_rate=sample_rate)
    chunk: list[npt.NDArray[np.uint8]] = []
    done = 0  # source frames spooled so far
    last: npt.NDArray[np.uint8] | None = None

    def flush() -> None:
        nonlocal done, last
        frames = np.stack(chunk)
        start, end = (audio_samples_for(n, FPS, sample_rate) for n in (done, done + len(frames)))
        spool.add(GenerationResult(frames=frames, fps=FPS, sample_rate=sample_rate,
                                   audio=None if audio is None else audio[:, start:end]))
        done += len(frames)
        last = frames[-_LAST_KEPT:].copy()
        chunk.clear()

    for frame in iter_frames(source):
        chunk.append(frame)
        if len(chunk) == _segment_frames():
            flush()
    if chunk:
        flush()
    return last


# The most frames of a segment kept after it is spooled (what the next one continues from).
_LAST_KEPT = 33


def _generate_segments(video: Video, reporter: ProgressReporter, spool: Spool
                       ) -> list[moderation.Verdict]:
    """Each segment continues the one before: within a shot (and from an extension's source)
    from its last frames (overlapping conditioning), at a new shot from its last frame. Each
    is checked by moderation (a block ends the job before the next segment is paid for) and
    spooled to disk. Consent, cancel and the claim are checked at every segment boundary (and
    at every step inside)."""
    backend = worker_backend()
    overlap = min(_overlap_frames(backend), _LAST_KEPT)
    condition = _first_condition(video)
    extending = _extension_source(video)
    previous = None  # the last frames made (or stored) before this segment
    if extending is not None:
        rate = int(getattr(backend, "sample_rate", AAC_SAMPLE_RATE))
        previous = _spool_source(extending, spool, rate)
    verdicts = []
    plan = segment_plan(_specs(video), segment_frames=_segment_frames())
    for index, segment in enumerate(plan):
        _fence(video.pk)
        reporter.start_shot(index)
        spec = segment.spec
        if previous is not None:
            continues = segment.continues_shot or index == 0  # index 0 here: the source's
            spec = replace(spec, condition_image=previous[-1],
                           condition_video=previous[-overlap:] if continues else None)
        elif condition is not None:
            spec = replace(spec, condition_image=condition)
        result = backend.generate(spec, reporter)
        verdicts.append(_output_verdict(video, result.frames))
        if verdicts[-1].action == "block":
            _act_on_output(video, verdicts[-1:])
        previous = result.frames[-_LAST_KEPT:].copy()
        spool.add(result)
        del result  # only the spool and the last frames outlive the segment
    return verdicts


def _output_verdict(video: Video, frames: npt.NDArray[np.uint8]) -> moderation.Verdict:
    return moderation.output_check(frames=frames, prompt=video.prompt,
                                   teen=video.owner.is_teen,
                                   context={"video_id": str(video.pk),
                                            "owner_id": video.owner_id})


def _act_on_output(video: Video, verdicts: list[moderation.Verdict]) -> None:
    """A block anywhere ends the job; reviews (their codes together) hold the video."""
    if any(verdict.action == "block" for verdict in verdicts):
        raise Stop(S.BLOCKED, "moderation.output_blocked",
                   "The generated video did not pass our safety checks.")
    codes = list(dict.fromkeys(code for verdict in verdicts if verdict.action == "review"
                               for code in verdict.codes))
    if codes:
        Video.objects.filter(pk=video.pk).update(held_for_review=True, output_codes=codes)
        moderation.case_open_for_automatic_hit(
            target_type="video", target_id=str(video.pk), owner_id=video.owner_id,
            codes=codes, summary=video.prompt[:200])


def cast_members(video: Video) -> list[CastMember]:
    return [CastMember(handle=c["handle"], user_id=c["user_id"], receipt_id=c["receipt_id"],
                       receipt_sha256=c["receipt_sha256"], preferences="")
            for c in video.provenance.get("cast", [])]


def _remix_source_bytes(video: Video) -> bytes | None:
    source = video.remix_of
    if source is None or not source.video_file:
        return None
    with source.video_file.open("rb") as handle:
        return handle.read()


def _store(video_id: UUID, token: str, video_path: Path, thumbnail: bytes,
           manifest: dict[str, object], duration: float, spritesheet: bytes = b"",
           manifest_store: bytes = b"") -> None:
    with transaction.atomic():
        video = Video.objects.select_for_update().get(pk=video_id)
        if video.run_token != token or video.status != S.IN_PROGRESS:
            raise ClaimLost()
        if video.cancel_requested:
            raise GenerationCancelled()
        _fence(video.pk)  # right before storing: a revoked consent is never stored
        with video_path.open("rb") as handle:
            video.video_file.save(f"{video.pk}.mp4", File(handle), save=False)
        video.thumbnail_file.save(f"{video.pk}.jpg", ContentFile(thumbnail), save=False)
        video.duration_s = duration
        video.provenance = {**video.provenance, **manifest}
        if spritesheet:
            video.provenance["spritesheet"] = default_storage.save(
                f"spritesheets/{video.pk}.jpg", ContentFile(spritesheet))
        video.save()
        if manifest_store:
            manifest_record_store(video_id=video.pk, watermark_id=video.watermark_id,
                                  store=manifest_store)
        video_transition(video_id=video.pk, to=S.COMPLETED, reason="stored")


def video_run(*, video_id: UUID) -> str:
    """Generate, post-process, check and store one job; returns the final status. With
    GENERATION_BATCH_MAX > 1, queued jobs of the same shape come along in one pipeline call
    (each settled on its own: `_run_batch`)."""
    token = _claim(video_id)
    if token is None:
        return "skipped"
    video = Video.objects.select_related("owner", "remix_of").get(pk=video_id)
    if settings.GENERATION_BATCH_MAX > 1 and _batchable(video):
        companions = _claim_companions(video, settings.GENERATION_BATCH_MAX - 1)
        if companions:
            return _run_batch([(video, token), *companions])[0]
    return _settled(video_id, token, lambda: _run_one(video, token))


def _run_one(video: Video, token: str) -> str:
    segmented = in_segments(video)
    reporter = ProgressReporter(
        video_id=video.pk, run_token=token, unit="segment" if segmented else "shot",
        shots=len(_segment_specs(video)) if segmented else len(video.shots))
    _check_prompt_model(video)
    # Everything the run writes lives here until _store; an ending of any kind removes it.
    with tempfile.TemporaryDirectory(prefix="castline-job-") as workdir:
        made: GenerationResult | Spool
        if segmented:
            made = Spool(Path(workdir))
            verdicts = _generate_segments(video, reporter, made)
        else:
            # fences consent before every shot, the first too
            made = _generate(video, reporter)
            reporter.report(0.9, "moderation", force=True)
            verdicts = [_output_verdict(video, made.frames)]
        _finish(video, token, made, verdicts, Path(workdir))
    return S.COMPLETED


def _finish(video: Video, token: str, made: GenerationResult | Spool,
            verdicts: list[moderation.Verdict], workdir: Path) -> None:
    _act_on_output(video, verdicts)
    ProgressReporter(video_id=video.pk, run_token=token, shots=1).report(
        0.93, "watermark", force=True)
    finished = package(made, workdir=workdir, handle=video.owner.handle,
                       title=video.prompt[:80],
                       model=video.model_name, watermark_id=video.watermark_id,
                       cast=cast_members(video), remix_source=_remix_source_bytes(video),
                       collaborators=list(video.provenance.get("collaborators", [])))
    _store(video.pk, token, finished.video_path, finished.thumbnail, finished.manifest,
           made.duration, finished.spritesheet, finished.manifest_store)


def _settled(video_id: UUID, token: str, work: Callable[[], str]) -> str:
    """Run `work` for one job; whatever stops it ends that job (and only it) as it says."""
    try:
        return work()
    except ClaimLost:
        logger.info("claim lost", extra={"video_id": str(video_id)})
        return "skipped"
    except GenerationCancelled:
        return _end(video_id, token, S.CANCELLED, "generation.cancelled", "Cancelled.")
    except Stop as stop:
        return _end(video_id, token, stop.status, stop.code, stop.message)
    except SoftTimeLimitExceeded:
        return _end(video_id, token, S.FAILED, "generation.timed_out",
                    "Generation took too long; your credits were returned.")
    except (OperationalError, InterfaceError):
        logger.warning("database connection lost mid-job", extra={"video_id": str(video_id)})
        return _give_back(video_id, token)
    except DomainError as exc:
        return _end(video_id, token, S.FAILED, exc.code, exc.message)
    except Exception:
        logger.exception("generation failed", extra={"video_id": str(video_id)})
        return _end(video_id, token, S.FAILED, "generation.internal_error",
                    "Generation failed on our side; your credits were returned.")


def _batchable(video: Video) -> bool:
    """One shot, one segment, nothing to start from (no reference, cast or source): its
    pipeline call differs from another such job's only by prompt and seed."""
    return (len(video.shots) == 1 and not in_segments(video) and not video.cast_handles
            and not video.provenance.get("extends")
            and not video.provenance.get("input_reference") and not video.cancel_requested)


def _claim_companions(video: Video, limit: int) -> list[tuple[Video, str]]:
    """Up to `limit` queued jobs of `video`'s shape, oldest first, claimed for this run.
    Their own deliveries, when they come, find them running and skip (as any duplicate)."""
    shape = _specs(video)[0].shape_key
    candidates = (Video.objects.select_related("owner", "remix_of")
                  .filter(status=S.QUEUED, width=video.width, height=video.height,
                          seconds=video.seconds, with_audio=video.with_audio,
                          cancel_requested=False, enqueued_at__isnull=False,
                          deleted_at__isnull=True)
                  .exclude(pk=video.pk).order_by("created_at")[:limit * 4])
    claimed: list[tuple[Video, str]] = []
    for other in candidates:
        if len(claimed) == limit:
            break
        if not _batchable(other) or _specs(other)[0].shape_key != shape:
            continue
        token = _claim(other.pk)
        if token is not None:
            claimed.append((Video.objects.select_related("owner", "remix_of")
                            .get(pk=other.pk), token))
    return claimed


def _run_batch(jobs: list[tuple[Video, str]]) -> list[str]:
    """Several jobs of one shape in one pipeline call; each keeps its own checks, progress,
    cancel, moderation, file, transitions and credits. A job stopped before or during the
    call (its cancel, a block, its consent) is settled alone; the others go on."""
    outcomes: dict[UUID, str] = {}
    ready: list[tuple[Video, str, ProgressReporter]] = []
    for video, token in jobs:
        reporter = ProgressReporter(video_id=video.pk, run_token=token, shots=1)

        def prepare(video: Video = video, reporter: ProgressReporter = reporter) -> str:
            _check_prompt_model(video)
            _fence(video.pk)
            reporter.start_shot(0)
            reporter.check_still_wanted()
            return "ready"

        outcome = _settled(video.pk, token, prepare)
        if outcome == "ready":
            ready.append((video, token, reporter))
        else:
            outcomes[video.pk] = outcome
    if ready:
        backend = worker_backend()
        generate_batch = getattr(backend, "generate_batch", None)
        specs = [_specs(video)[0] for video, _, _ in ready]
        if generate_batch is None:
            results: list[GenerationResult | BaseException] = []
            for spec, (_, _, reporter) in zip(specs, ready, strict=True):
                try:
                    results.append(backend.generate(spec, reporter))
                except Exception as stop:
                    results.append(stop)
        else:
            try:
                results = generate_batch(specs, [reporter for _, _, reporter in ready])
            except Exception as failure:
                results = [failure] * len(ready)
        for (video, token, reporter), result in zip(ready, results, strict=True):
            outcomes[video.pk] = _settled(video.pk, token, functools.partial(
                _finish_batched, video, token, reporter, result))
    return [outcomes[video.pk] for video, _ in jobs]


def _finish_batched(video: Video, token: str, reporter: ProgressReporter,
                    result: GenerationResult | BaseException) -> str:
    if isinstance(result, BaseException):
        raise result
    _fence(video.pk)
    reporter.report(0.9, "moderation", force=True)
    with tempfile.TemporaryDirectory(prefix="castline-job-") as workdir:
        _finish(video, token, result, [_output_verdict(video, result.frames)], Path(workdir))
    return S.COMPLETED


def _end(video_id: UUID, token: str, status: str, code: str, message: str) -> str:
    with transaction.atomic():
        video = Video.objects.select_for_update().get(pk=video_id)
        if video.run_token != token or video.is_terminal:
            return "skipped"
        video_transition(video_id=video_id, to=status, reason=code, error_code=code,
                         error_message=message)
    return status


def _give_back(video_id: UUID, token: str) -> str:
    """The database dropped this run's connection: queue the job again on a fresh one (an
    attempt spent), or fail it once attempts are used up. If the database is still away this
    raises, and the reaper settles the job when it is back (the heartbeat went stale)."""
    connection.close()  # the broken connection goes; the next query opens a fresh one
    with transaction.atomic():
        video = Video.objects.select_for_update().get(pk=video_id)
        if video.run_token != token or video.is_terminal:
            return "skipped"
        if video.attempts >= settings.GENERATION_MAX_ATTEMPTS:
            video_transition(video_id=video_id, to=S.FAILED, reason="database lost",
                             error_code="generation.internal_error",
                             error_message="Generation failed on our side; your credits "
                             "were returned.")
            return S.FAILED
        video_transition(video_id=video_id, to=S.QUEUED, reason="database lost; retrying")
        Video.objects.filter(pk=video_id).update(run_token="")
        video_enqueue(video_id=video_id)
    return S.QUEUED
