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

# Measured: bench/relay_joins.py (tiny model, no marks; four seeds) puts faded joins at
# 0.56-0.77 x a typical stretch and the same joins cut plainly at 3.2-3.3 x; through the whole
# worker path (marks, AAC again at each generation of the relay) faded joins measured 0.5-1.75.
# Gaps 0.02-0.5 ms (25 ms before the vocoder's short tail was stretched); the picture's step at
# a join 0.7-0.9 x the largest inside a segment.
MAX_CLICK_RATIO = 2.5
MAX_GAP_MS = 5.0
MAX_FRAME_JUMP_RATIO = 1.5
RATE = 48000


def _extend(client: Any, capture: Any, source: Video, prompt: str) -> Video:
    with capture(execute=True):
        response = client.post(f"/api/v1/videos/{source.pk}/extend",
                               {"prompt": prompt, "seconds": 4}, format="json")
    assert response.status_code == 202, response.content
    done = client.get(f"/api/v1/videos/{response.json()['id']}").json()
    assert done["status"] == "completed", done
    return Video.objects.get(pk=done["id"])


def test_relay_files_flow_across_the_joins_and_verify(
        user_factory: Any, login: Any, django_capture_on_commit_callbacks: Any) -> None:
    """Ana's clip, continued by Bob, continued by Cy: each stitched file is checked."""
    capture = django_capture_on_commit_callbacks
    ana, bob, cy = (user_factory(handle=h) for h in ("ana", "bob", "cy"))
    clients = {user.handle: login(user) for user in (ana, bob, cy)}
    with capture(execute=True):
        source = services.video_create(user=ana, request=services.VideoRequest(
            prompt="a kite over a beach", seconds=4, width=96, height=160))
    source.refresh_from_db()
    assert source.status == Video.Status.COMPLETED, source.error_code
    for handle, video in (("ana", source),):
        assert clients[handle].post(f"/api/v1/videos/{video.pk}/publish", {},
                                    format="json").status_code == 201
    middle = _extend(clients["bob"], capture, source, "the kite dives into the sea")
    assert clients["bob"].post(f"/api/v1/videos/{middle.pk}/publish", {},
                               format="json").status_code == 201
    last = _extend(clients["cy"], capture, middle, "a fish carries the kite away")

    for video, seconds, creators in ((middle, 8, ["@bob", "@ana"]),
                                     (last, 12, ["@cy", "@bob", "@ana"])):
        path = Path(video.video_file.path)
        info = probe(path)
        assert info.duration == pytest.approx(seconds, abs=0.1)
        assert info.audio_duration == pytest.approx(seconds, abs=0.1)
        assert (info.width, info.height) == (96, 160)

        data = path.read_bytes()
        audio = decode_audio(data, sample_rate=RATE)
        assert audio is not None
        joins = list(range(4, seconds, 4))
        for join in audio_joins(audio, RATE, [s * RATE for s in joins]):
            assert join.click_ratio < MAX_CLICK_RATIO, join
            assert join.gap_ms < MAX_GAP_MS, join
        frames = read_frames(data)[0]
        for picture in frame_joins(frames, [s * 24 for s in joins]):
            assert picture.jump_ratio < MAX_FRAME_JUMP_RATIO, picture

        report = provenance_verify(source=path)
        assert report["c2pa"]["valid"] and report["c2pa"]["trusted"], report["c2pa"]
        # The newest generation's mark, over the older ones its source frames still carry.
        assert report["watermark"]["generation"]["video_id"] == str(video.pk)
        assert report["watermark"]["payload"] == f"{video.watermark_id:016x}"
        [ingredient] = report["c2pa"]["ingredients"]
        assert ingredient["relationship"] == "parentOf" and ingredient["has_manifest"]
        lineage = report["watermark"]["lineage"]
        assert [step["creator"] for step in lineage] == creators
        assert {step["relation"] for step in lineage[1:]} == {"extension source"}


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
