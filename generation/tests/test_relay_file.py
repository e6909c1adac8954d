"""A relay's stitched file, made by the real worker path (eager, tiny model, real encode, marks
and C2PA): it plays as the whole story, its sound and picture flow across the join, and it
verifies (C2PA valid with the source as its ingredient, watermark of the newest generation).
Small frames keep it quick."""

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from generation import services
from generation.media import probe
from generation.media.continuity import audio_joins, fade_at_cuts, frame_joins
from generation.media.decode import decode_audio
from generation.models import Video
from generation.provenance.media import read_frames
from generation.verification import provenance_verify

pytestmark = pytest.mark.django_db

# Measured (bench/relay_joins.py, tiny model): faded joins 0.9-1.2 x a typical millisecond,
# the same joins cut plainly 3-5 x; gaps 0.2-0.5 ms (25 ms before the vocoder's short tail
# was stretched); the picture's step at the join 0.8-0.9 x the largest inside a segment.
MAX_CLICK_RATIO = 2.0
MAX_GAP_MS = 5.0
MAX_FRAME_JUMP_RATIO = 1.5
RATE = 48000


def test_relay_file_flows_across_the_join_and_verifies(
        user_factory: Any, login: Any, django_capture_on_commit_callbacks: Any) -> None:
    ana, bob = user_factory(handle="ana"), user_factory(handle="bob")
    ana_client, bob_client = login(ana), login(bob)
    with django_capture_on_commit_callbacks(execute=True):
        source = services.video_create(user=ana, request=services.VideoRequest(
            prompt="a kite over a beach", seconds=4, width=96, height=160))
    source.refresh_from_db()
    assert source.status == Video.Status.COMPLETED, source.error_code
    assert ana_client.post(f"/api/v1/videos/{source.pk}/publish", {},
                           format="json").status_code == 201
    with django_capture_on_commit_callbacks(execute=True):
        response = bob_client.post(f"/api/v1/videos/{source.pk}/extend",
                                   {"prompt": "the kite dives into the sea", "seconds": 4},
                                   format="json")
    assert response.status_code == 202, response.content
    done = bob_client.get(f"/api/v1/videos/{response.json()['id']}").json()
    assert done["status"] == "completed", done
    extension = Video.objects.get(pk=done["id"])
    path = Path(extension.video_file.path)

    info = probe(path)
    assert info.duration == pytest.approx(8, abs=0.1)
    assert info.audio_duration == pytest.approx(8, abs=0.1)
    assert (info.width, info.height) == (96, 160)

    data = path.read_bytes()
    audio = decode_audio(data, sample_rate=RATE)
    assert audio is not None
    [join] = audio_joins(audio, RATE, [4 * RATE])
    assert join.click_ratio < MAX_CLICK_RATIO, join
    assert join.gap_ms < MAX_GAP_MS, join
    frames = read_frames(data)[0]
    [picture] = frame_joins(frames, [4 * 24])
    assert picture.jump_ratio < MAX_FRAME_JUMP_RATIO, picture

    report = provenance_verify(source=path)
    assert report["c2pa"]["valid"] and report["c2pa"]["trusted"], report["c2pa"]
    assert report["watermark"]["generation"]["video_id"] == str(extension.pk)
    assert report["watermark"]["payload"] == f"{extension.watermark_id:016x}"
    [ingredient] = report["c2pa"]["ingredients"]
    assert ingredient["relationship"] == "parentOf" and ingredient["has_manifest"]
    lineage = report["watermark"]["lineage"]
    assert [(step["creator"], step["relation"]) for step in lineage] == [
        ("@bob", "this video"), ("@ana", "extension source")]


def test_the_measure_hears_a_plain_cut_and_a_gap() -> None:
    """The thresholds above mean something: a plain cut between two tones on different
    phases clicks past them, a 20 ms hole is a gap, and fading the cut removes the click."""
    t = np.arange(RATE) / RATE
    head = 0.3 * np.sin(2 * np.pi * 220 * t)
    tail = 0.3 * np.sin(2 * np.pi * 220 * t + np.pi / 2)  # starts at its peak
    cut = np.concatenate([head, tail])[None, :].astype(np.float32)
    assert audio_joins(cut, RATE, [RATE])[0].click_ratio > MAX_CLICK_RATIO
    faded = fade_at_cuts(cut.copy(), RATE, [RATE])
    assert audio_joins(faded, RATE, [RATE])[0].click_ratio < MAX_CLICK_RATIO
    holed = cut.copy()
    holed[:, RATE - 960:RATE] = 0
    assert audio_joins(holed, RATE, [RATE])[0].gap_ms >= 19
    frames = np.zeros((48, 8, 8, 3), np.uint8)
    frames[:24] = np.arange(24, dtype=np.uint8)[:, None, None, None]  # a slow fade up
    frames[24:] = 200
    assert frame_joins(frames, [24])[0].jump_ratio > MAX_FRAME_JUMP_RATIO
