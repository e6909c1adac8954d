"""After the model: visible mark ▶ audio mark ▶ invisible mark ▶ H.264/AAC MP4, read back ▶
thumbnail and spritesheet ▶ C2PA (last)."""

import fcntl
import logging
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
from django.conf import settings

from core.errors import DomainError
from generation.backends.base import GenerationResult
from generation.media import encode_mp4, make_spritesheet, make_thumbnail
from generation.media.encode import Mp4Writer
from generation.media.spritesheet import SPRITE_TILES
from generation.provenance import audio_mark, invisible, visible
from generation.provenance.c2pa_sign import ConsentReceipt, ManifestSpec, sign_mp4
from generation.provenance.c2pa_verify import read_watermark
from generation.provenance.credentials import (
    DevCredentialPaths,
    SigningCredentials,
    ensure_dev_credentials,
)

from .casting import CastMember
from .segments import Spool

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Finished:
    video_path: Path
    thumbnail: bytes
    manifest: dict[str, object]
    spritesheet: bytes = b""
    manifest_store: bytes = b""  # the signed store as embedded, for the manifest repository


def dev_credentials() -> DevCredentialPaths:
    """The development CA and signer, created once; the lock keeps parallel workers from
    writing two different CAs on a first run."""
    lock_path = Path(settings.KEYS_DIR) / ".lock"
    with lock_path.open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            return ensure_dev_credentials(settings.DATA_DIR)
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def signing_credentials() -> SigningCredentials:
    if settings.C2PA_SIGN_CERT_CHAIN and settings.C2PA_SIGN_KEY:
        return SigningCredentials.from_files(settings.C2PA_SIGN_CERT_CHAIN,
                                             settings.C2PA_SIGN_KEY)
    return dev_credentials().credentials()


def resolution_url() -> str:
    """The C2PA Soft Binding Resolution API that signed manifests name for their watermark."""
    return f"{settings.PUBLIC_BASE_URL.rstrip('/')}/c2pa/sbr/v1"


def trust_anchors_pem() -> str:
    path = settings.C2PA_TRUST_ANCHORS or str(dev_credentials().ca_cert)
    return Path(path).read_text()


# Stronger marks, tried in turn until the file's mark reads back (rarely needed: content with
# much energy at the mark's cell scale, like the tiny model's noise, can drown the first).
WATERMARK_STRENGTHS = (1.0, 1.4, 1.8, 2.4)


def mark_and_encode(result: GenerationResult, *, handle: str, watermark_id: int,
                    out: Path) -> int:
    """Visible mark, invisible mark (it covers the visible one too), then the MP4 at `out`.

    Every file must be verifiable, so the encoded file is read back exactly as a verifier
    reads it before it is accepted; returns the attempts it took. Marks the frames in place.
    """
    visible.apply(result.frames, handle, result.fps)
    audio_marked = result.audio is not None and audio_mark.embed(
        result.audio, result.sample_rate, watermark_id)
    unmarked = result.frames.copy()
    for attempt, strength in enumerate(WATERMARK_STRENGTHS, start=1):
        if attempt > 1:
            result.frames[...] = unmarked
        invisible.embed(result.frames, watermark_id, rms=invisible.TARGET_RMS * strength)
        encode_mp4(result, out)
        detection = read_watermark(out.read_bytes())
        if detection.found and detection.payload == watermark_id:
            if audio_marked:
                _audio_read_back(out, watermark_id)
            return attempt
    logger.error("watermark unreadable after every strength", extra={"payload": watermark_id})
    raise DomainError("generation.watermark_unreadable",
                      "We could not mark this video so that it stays verifiable; "
                      "your credits were returned. Please try again with another seed.")


# The read-back hears this much of the track: the mark repeats every 3.76 s, and detecting
# a whole minute holds 35 MB, more than a long job's piece of sound.
AUDIO_READ_BACK_S = 20.0


def _audio_read_back(path: Path, watermark_id: int) -> None:
    """The soundtrack's mark is a second witness, not a gate: a miss is logged, not fatal."""
    mono = audio_mark.decode_mono(path, max_seconds=AUDIO_READ_BACK_S)
    heard = audio_mark.detect(mono) if mono is not None else None
    if heard is None or heard.payload != watermark_id:
        logger.warning("audio watermark unreadable", extra={"payload": watermark_id})


def mark_and_encode_segments(spool: Spool, *, handle: str, watermark_id: int, out: Path
                              ) -> tuple[npt.NDArray[np.uint8], npt.NDArray[np.uint8]]:
    """mark_and_encode for a long job, one segment in memory at a time, its sound too: each
    segment is read back from the spool, marked (the visible and the audio mark on the whole
    video's clock) and encoded into one MP4; a stronger mark is a second pass over the spool,
    which holds the unmarked frames and sound. Returns the marked frames the thumbnail and
    the spritesheet are made of."""
    width, height = spool.frame_size
    total = spool.frame_total
    middle = total // 2
    picks = np.linspace(0, total - 1, min(SPRITE_TILES, total)).round().astype(int)
    sound_starts = spool.sample_starts if spool.has_audio else []
    for attempt, strength in enumerate(WATERMARK_STRENGTHS, start=1):
        kept: dict[int, npt.NDArray[np.uint8]] = {}
        audio_marked = False
        with Mp4Writer(out, width=width, height=height, fps=spool.fps, audio=None,
                       sample_rate=spool.sample_rate, audio_pieces=spool.has_audio) as writer:
            for index, start in enumerate(spool.starts):
                if spool.has_audio:
                    sound = spool.audio_piece(index)
                    audio_marked = audio_mark.embed(
                        sound, spool.sample_rate, watermark_id,
                        first_sample=sound_starts[index],
                        total_samples=spool.sample_total) or audio_marked
                    writer.write_audio(sound)
                    del sound
                frames = spool.frames(index)
                visible.apply(frames, handle, spool.fps, first_frame=start)
                invisible.embed(frames, watermark_id, rms=invisible.TARGET_RMS * strength)
                writer.write(frames)
                for wanted in (middle, *picks):
                    if start <= wanted < start + len(frames):
                        kept[int(wanted)] = frames[wanted - start].copy()
                del frames
        detection = read_watermark(out)  # from the file: a minute's bytes stay on disk
        if detection.found and detection.payload == watermark_id:
            if audio_marked:
                _audio_read_back(out, watermark_id)
            logger.info("long video marked", extra={"attempts": attempt})
            return kept[middle][None], np.stack([kept[int(i)] for i in picks])
    logger.error("watermark unreadable after every strength", extra={"payload": watermark_id})
    raise DomainError("generation.watermark_unreadable",
                      "We could not mark this video so that it stays verifiable; "
                      "your credits were returned. Please try again with another seed.")


def package(result: GenerationResult | Spool, *, workdir: Path, handle: str, title: str,
            model: str, watermark_id: int, cast: list[CastMember], remix_source: bytes | None,
            collaborators: list[str] | None = None) -> Finished:
    """A whole result, or a long job's spool of segments (memory bounded by one segment)."""
    plain = workdir / "plain.mp4"
    if isinstance(result, Spool):
        middle, picked = mark_and_encode_segments(result, handle=handle,
                                                  watermark_id=watermark_id, out=plain)
        thumbnail, spritesheet = make_thumbnail(middle), make_spritesheet(picked)
    else:
        mark_and_encode(result, handle=handle, watermark_id=watermark_id, out=plain)
        thumbnail = make_thumbnail(result.frames)
        spritesheet = make_spritesheet(result.frames)
    spec = ManifestSpec(
        title=title, model=model, watermark_payload=watermark_id,
        consent_receipts=[ConsentReceipt(receipt_id=m.receipt_id, sha256=m.receipt_sha256)
                          for m in cast],
        remix_source=remix_source, resolution_url=resolution_url(),
        collaborators=list(collaborators or []))
    signed = workdir / "signed.mp4"
    store = sign_mp4(plain, signed, spec, signing_credentials())
    manifest = {"generator": "Castline", "model": model, "watermark": f"{watermark_id:016x}",
                "consent_receipts": [m.receipt_id for m in cast],
                "remix_of": bool(remix_source), "collaborators": list(collaborators or [])}
    return Finished(video_path=signed, thumbnail=thumbnail, manifest=manifest,
                    spritesheet=spritesheet, manifest_store=store)
