"""The segment path's newer parts: the soundtrack in pieces (the same track as joined whole,
its mark read back, memory of one piece), and extensions and storyboards that go past one
segment, made by the real worker path (tiny model, real marks, encode, C2PA)."""

import tracemalloc
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from generation import services
from generation.backends import GenerationResult
from generation.media import probe
from generation.media.continuity import audio_joins, frame_joins
from generation.media.decode import decode_audio
from generation.media.storyboard import join_audio
from generation.models import Video
from generation.postprocess import mark_and_encode_segments
from generation.provenance import audio_mark
from generation.provenance.media import read_frames
from generation.segments import Spool
from generation.verification import provenance_verify

# The joins' thresholds (test_relay_file.py, measured by bench/relay_joins.py).
MAX_CLICK_RATIO = 2.5
MAX_GAP_MS = 5.0
MAX_FRAME_JUMP_RATIO = 1.5
RATE = 48000


def _spool(folder: Path, *, segments: int, seconds: float, rate: int, size: int = 16,
           fps: float = 24.0, sound: bool = True) -> tuple[Spool, list[GenerationResult]]:
    rng = np.random.default_rng(3)
    spool = Spool(folder)
    made = []
    for _ in range(segments):
        frames = rng.integers(0, 255, (round(seconds * fps), size, size, 3), dtype=np.uint8)
        # A tone on a random phase per segment, slightly short (as a vocoder's is).
        t = np.arange(round(seconds * rate) - 37) / rate
        tone = 0.3 * np.sin(2 * np.pi * 330 * t + rng.uniform(0, 2 * np.pi))
        audio = np.stack([tone, tone]).astype(np.float32) if sound else None
        result = GenerationResult(frames=frames, audio=audio, fps=fps, sample_rate=rate)
        spool.add(result)
        made.append(result)
    return spool, made


def test_the_soundtrack_in_pieces_is_the_track_joined_whole(tmp_path: Path) -> None:
    spool, made = _spool(tmp_path, segments=4, seconds=2.5, rate=16000)
    whole = join_audio([(len(r.frames), r.audio) for r in made], fps=24.0, sample_rate=16000,
                       fade_cuts=True)
    assert whole is not None
    pieces = np.concatenate(list(spool.audio_pieces()), axis=1)
    assert pieces.shape == whole.shape
    assert np.allclose(pieces, whole, atol=1e-6)


def test_a_mark_made_in_pieces_reads_like_one_made_whole() -> None:
    rng = np.random.default_rng(5)
    track = (0.2 * rng.standard_normal((2, 16000 * 12))).astype(np.float32)
    whole, pieces = track.copy(), track.copy()
    audio_mark.embed(whole, 16000, 0xC0FFEE)
    for start, end in ((0, 50_000), (50_000, 130_001), (130_001, track.shape[1])):
        audio_mark.embed(pieces[:, start:end], 16000, 0xC0FFEE, first_sample=start,
                         total_samples=track.shape[1])
    heard = audio_mark.detect(pieces.mean(axis=0))
    assert heard.found and heard.payload == 0xC0FFEE
    # The same mark, but for the pieces' edges (each piece is resampled on its own).
    residual = (pieces - track) - (whole - track)
    assert np.sqrt(np.mean(residual ** 2)) < 0.2 * np.sqrt(np.mean((whole - track) ** 2))


@pytest.mark.django_db
def test_encoding_a_minute_holds_a_piece_of_its_sound_not_the_track(
        tmp_path: Path, settings: Any) -> None:
    """10 s segments of 48 kHz stereo (3.8 MB a piece as float32): a minute's sound adds no
    more to the encoder's peak than half a minute's does (its mark's read-back hears the first
    20 s of either), while its whole track would add 11.5 MB more. Each peak is taken against
    the same frames without sound."""
    settings.DATA_DIR = str(tmp_path / "data")
    sound_share = {}
    for segments in (3, 6):
        peaks = {}
        for sound in (False, True):
            folder = tmp_path / f"{segments}-{sound}"
            folder.mkdir()
            spool, _ = _spool(folder, segments=segments, seconds=10, rate=RATE, size=96,
                              sound=sound)
            tracemalloc.start()
            mark_and_encode_segments(spool, handle="ana", watermark_id=0xABCDEF,
                                     out=folder / "o.mp4")
            peaks[sound] = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
        sound_share[segments] = peaks[True] - peaks[False]
    extra_track = 30 * RATE * 2 * 4
    assert sound_share[6] - sound_share[3] < 0.5 * extra_track, sound_share
    out = tmp_path / "6-True" / "o.mp4"
    info = probe(out)
    assert info.audio_duration == pytest.approx(60, abs=0.1)
    audio = decode_audio(out.read_bytes(), sample_rate=RATE)
    assert audio is not None
    for join in audio_joins(audio, RATE, [s * RATE for s in range(10, 60, 10)]):
        assert join.click_ratio < MAX_CLICK_RATIO, join
        assert join.gap_ms < MAX_GAP_MS, join
    mono = audio_mark.decode_mono(out)
    assert mono is not None and audio_mark.detect(mono).payload == 0xABCDEF


def _check_file(video: Video, seconds: int, joins: list[int]) -> None:
    path = Path(video.video_file.path)
    info = probe(path)
    assert info.duration == pytest.approx(seconds, abs=0.1)
    assert info.audio_duration == pytest.approx(seconds, abs=0.1)
    data = path.read_bytes()
    audio = decode_audio(data, sample_rate=RATE)
    assert audio is not None
    for join in audio_joins(audio, RATE, [s * RATE for s in joins]):
        assert join.click_ratio < MAX_CLICK_RATIO, join
        assert join.gap_ms < MAX_GAP_MS, join
    frames = read_frames(data)[0]
    assert len(frames) == seconds * 24
    for picture in frame_joins(frames, [s * 24 for s in joins]):
        assert picture.jump_ratio < MAX_FRAME_JUMP_RATIO, picture
    report = provenance_verify(source=path)
    assert report["c2pa"]["valid"] and report["c2pa"]["trusted"], report["c2pa"]
    assert report["watermark"]["payload"] == f"{video.watermark_id:016x}"


def _stages(video: Video) -> list[str]:
    from events.models import Notification

    return list(Notification.objects.filter(type="generation.progress",
                                            payload__id=str(video.pk))
                .values_list("payload__stage", flat=True))


@pytest.mark.django_db
def test_an_extension_past_one_segment_goes_through_the_spool(
        user_factory: Any, login: Any, settings: Any,
        django_capture_on_commit_callbacks: Any) -> None:
    settings.GENERATION_SEGMENT_SECONDS = 4
    capture = django_capture_on_commit_callbacks
    ana, bob = user_factory(handle="ana"), user_factory(handle="bob")
    with capture(execute=True):
        source = services.video_create(user=ana, request=services.VideoRequest(
            prompt="a kite over a beach", seconds=8, width=96, height=160))
    source.refresh_from_db()
    assert source.status == Video.Status.COMPLETED, source.error_code
    assert login(ana).post(f"/api/v1/videos/{source.pk}/publish", {},
                           format="json").status_code == 201
    with capture(execute=True):
        response = login(bob).post(f"/api/v1/videos/{source.pk}/extend",
                                   {"prompt": "the kite dives into the sea", "seconds": 8},
                                   format="json")
    assert response.status_code == 202, response.content
    extension = Video.objects.get(pk=response.json()["id"])
    assert extension.status == Video.Status.COMPLETED, extension.error_code
    assert extension.seconds == 16
    _check_file(extension, 16, [4, 8, 12])
    # Only the new 8 s were made, in two segments; the source went in as stored.
    announced = [s for s in _stages(extension) if s.startswith("segment ") and ":" not in s]
    assert announced == ["segment 1/2", "segment 2/2"]


@pytest.mark.django_db
def test_a_storyboard_past_one_segment_goes_through_the_spool(
        user_factory: Any, settings: Any, django_capture_on_commit_callbacks: Any) -> None:
    settings.GENERATION_SEGMENT_SECONDS = 4
    ana = user_factory(handle="ana")
    with django_capture_on_commit_callbacks(execute=True):
        video = services.video_create(user=ana, request=services.VideoRequest(
            prompt="a day at the harbour", width=96, height=160, shots=[
                {"prompt": "boats at dawn", "seconds": 4},
                {"prompt": "gulls over the market", "seconds": 8}]))
    video.refresh_from_db()
    assert video.status == Video.Status.COMPLETED, video.error_code
    _check_file(video, 12, [4, 8])
    assert "segment 3/3" in _stages(video)
