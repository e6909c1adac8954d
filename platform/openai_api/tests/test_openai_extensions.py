"""Extensions (the stitched whole, its source's seconds included) and edits (the source made
again under a new prompt from its first frame), through the SDK."""

import tempfile
from pathlib import Path

import numpy as np
import openai
import pytest

from generation.media import probe
from generation.models import Video
from generation.pipeline import _input_reference
from generation.provenance.media import read_frames
from openai_api.objects import parse_video_id

pytestmark = pytest.mark.django_db


@pytest.fixture
def ana(user_factory, sdk_for):
    user = user_factory(handle="ana")
    return user, sdk_for(user)


def _completed(sdk, capture, **kwargs):
    with capture(execute=True):
        created = sdk.videos.create(prompt="a paper boat drifting", size="480x854", **kwargs)
    video = sdk.videos.retrieve(created.id)
    assert video.status == "completed", video
    return video


def test_extension_is_the_stitched_whole(ana, django_capture_on_commit_callbacks):
    _, sdk = ana
    source = _completed(sdk, django_capture_on_commit_callbacks, seconds="4")
    # The SDK's extend() cannot send {"id"} itself (its multipart encoder wants a file at
    # `video`), so the reference goes in extra_body: multipart `video[id]`.
    with django_capture_on_commit_callbacks(execute=True):
        extended = sdk.videos.extend(prompt="the boat reaches a harbour", seconds="4",
                                     video=openai.omit, extra_body={"video": {"id": source.id}})
    assert extended.seconds == "8" and extended.size == source.size
    assert extended.remixed_from_video_id == source.id
    done = sdk.videos.retrieve(extended.id)
    assert done.status == "completed" and done.seconds == "8", done
    path = Path(tempfile.mkdtemp()) / "whole.mp4"
    sdk.videos.download_content(done.id).write_to_file(path)
    info = probe(path)
    assert info.duration == pytest.approx(8, abs=0.1) and (info.width, info.height) == (480, 854)
    assert info.audio_duration == pytest.approx(8, abs=0.1)
    row = Video.objects.get(pk=parse_video_id(done.id))
    assert row.provenance["extends"] == str(parse_video_id(source.id))
    assert row.provenance["remix_of"] is True  # the source is the C2PA ingredient


def test_extension_refusals(ana, django_capture_on_commit_callbacks):
    _, sdk = ana
    queued = sdk.videos.create(prompt="still cooking")
    with pytest.raises(openai.ConflictError):
        sdk.videos.extend(prompt="more", seconds="4", video=openai.omit,
                          extra_body={"video": {"id": queued.id}})
    with pytest.raises(openai.NotFoundError):
        sdk.videos.extend(prompt="more", seconds="4", video=openai.omit,
                          extra_body={"video": {"id": "video_" + "0" * 32}})
    with pytest.raises(openai.BadRequestError) as caught:
        sdk.videos.extend(prompt="more", seconds="4", video=("clip.mp4", b"\0" * 64))
    assert caught.value.param == "video"
    with pytest.raises(openai.BadRequestError) as caught:
        sdk.videos.extend(prompt="more", seconds="3", video=openai.omit,
                          extra_body={"video": {"id": queued.id}})
    assert caught.value.param == "seconds"


def test_edit_starts_from_the_source_first_frame(ana, django_capture_on_commit_callbacks):
    _, sdk = ana
    source = _completed(sdk, django_capture_on_commit_callbacks, seconds="4")
    with django_capture_on_commit_callbacks(execute=True):
        edited = sdk.videos.edit(prompt="the same boat, at night", video=openai.omit,
                                 extra_body={"video": {"id": source.id}})
    assert edited.remixed_from_video_id == source.id and edited.size == source.size
    assert edited.status == "queued" and edited.seconds == "4"
    assert sdk.videos.retrieve(edited.id).status == "completed"  # the worker took the frame
    row = Video.objects.get(pk=parse_video_id(edited.id))
    source_row = Video.objects.get(pk=parse_video_id(source.id))
    first = read_frames(source_row.video_file.path, max_frames=1)[0][0]
    assert np.array_equal(_input_reference(row), first)
