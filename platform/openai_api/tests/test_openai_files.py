"""/v1/files for images, and input_reference.file_id naming one."""

import io

import openai
import pytest
from PIL import Image

from generation.models import Video
from generation.pipeline import _input_reference

pytestmark = pytest.mark.django_db


def png(color=(10, 200, 10)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (32, 48), color).save(out, format="PNG")
    return out.getvalue()


@pytest.fixture
def ana(user_factory, sdk_for):
    return sdk_for(user_factory())


def test_upload_then_name_it_as_the_first_frame(ana):
    uploaded = ana.files.create(file=("frame.png", png(), "image/png"), purpose="vision")
    assert uploaded.object == "file" and uploaded.id.startswith("file-")
    assert uploaded.bytes == len(png()) and uploaded.filename == "frame.png"
    assert ana.files.retrieve(uploaded.id).id == uploaded.id
    assert [f.id for f in ana.files.list()] == [uploaded.id]
    assert ana.files.content(uploaded.id).read() == png()
    video = ana.videos.create(prompt="a green field",
                              extra_body={"input_reference": {"file_id": uploaded.id}})
    frame = _input_reference(Video.objects.get())
    assert video.status == "queued" and frame.shape == (48, 32, 3)
    assert (frame == (10, 200, 10)).all()
    assert ana.files.delete(uploaded.id).deleted is True
    with pytest.raises(openai.BadRequestError) as caught:
        ana.videos.create(prompt="again", extra_body={"input_reference": {"file_id":
                                                                           uploaded.id}})
    assert caught.value.param == "input_reference.file_id"


def test_only_images_and_only_your_own(ana, user_factory, sdk_for):
    with pytest.raises(openai.BadRequestError) as caught:
        ana.files.create(file=("notes.png", b"%PDF-1.4 not an image", "image/png"),
                         purpose="vision")
    assert caught.value.param == "file"
    with pytest.raises(openai.BadRequestError) as caught:
        ana.files.create(file=("a.png", png(), "image/png"), purpose="batch")
    assert caught.value.param == "purpose"
    mine = ana.files.create(file=("a.png", png(), "image/png"), purpose="user_data")
    other = sdk_for(user_factory())
    with pytest.raises(openai.NotFoundError):
        other.files.retrieve(mine.id)
    with pytest.raises(openai.BadRequestError) as caught:
        other.videos.create(prompt="borrowed", extra_body={"input_reference": {"file_id":
                                                                                mine.id}})
    assert caught.value.param == "input_reference.file_id"
    assert Video.objects.count() == 0
