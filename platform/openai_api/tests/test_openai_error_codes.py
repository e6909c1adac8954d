"""The mistakes a client of OpenAI's API makes get OpenAI's answer: the status, `type`, `param`,
`code` and wording OpenAI uses for them, through the official SDK, with Castline's own code in
`castline_code`; and form bodies, which OpenAI takes, are read like multipart ones."""

import openai
import pytest
from rest_framework.test import APIClient

from apikeys.services import api_key_create
from generation.models import Video

pytestmark = pytest.mark.django_db


@pytest.fixture
def sdk(user_factory, sdk_for):
    return sdk_for(user_factory(handle="ana"))


@pytest.mark.parametrize(("kwargs", "param", "castline_code", "message"), [
    ({"seconds": "5"}, "seconds", "openai.unsupported_seconds",
     "Invalid value: '5'. Supported values are: '4', '8', "),
    ({"size": "999x999"}, "size", "openai.unsupported_size",
     "Invalid value: '999x999'. Supported values are: '720x1280', '1280x720', "),
    ({"model": "sora-9"}, "model", "openai.unknown_model",
     "Invalid value: 'sora-9'. Supported values are: 'sora-2', 'sora-2-pro', "),
])
def test_a_value_outside_the_list_is_openais_invalid_value(sdk, kwargs, param, castline_code,
                                                           message):
    with pytest.raises(openai.BadRequestError) as caught:
        sdk.videos.create(prompt="a paper boat", **kwargs)
    error = caught.value
    assert (error.status_code, error.type, error.param, error.code) == \
        (400, "invalid_request_error", param, "invalid_value")
    assert error.body["message"].startswith(message)
    assert error.body["castline_code"] == castline_code
    assert Video.objects.count() == 0


def test_a_missing_prompt_is_openais_missing_required_parameter(user_factory):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer "
                                          f"{api_key_create(user=user_factory(), name='t').secret}")
    for body, fmt in (({}, "json"), ({"seconds": "4"}, "multipart"), ({"prompt": None}, "json")):
        response = client.post("/v1/videos", body, format=fmt)
        assert response.status_code == 400, response.content
        assert response.json()["error"] == {
            "message": "Missing required parameter: 'prompt'.", "type": "invalid_request_error",
            "param": "prompt", "code": "missing_required_parameter",
            "castline_code": "validation_error"}
    # A wrong value that is there is not "missing".
    blank = client.post("/v1/videos", {"prompt": ""}, format="json").json()["error"]
    assert (blank["code"], blank["param"]) == ("invalid_value", "prompt")
    assert Video.objects.count() == 0


def test_an_unknown_video_is_a_404_not_found_error(sdk):
    with pytest.raises(openai.NotFoundError) as caught:
        sdk.videos.retrieve("video_0123456789abcdef0123456789abcdef")
    assert (caught.value.type, caught.value.code) == ("invalid_request_error", "not_found")


def test_a_form_body_creates_a_video_like_multipart(user_factory):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer "
                                          f"{api_key_create(user=user_factory(), name='t').secret}")
    response = client.generic("POST", "/v1/videos", "prompt=a+paper+boat&seconds=8&size=1280x720",
                              content_type="application/x-www-form-urlencoded")
    assert response.status_code == 200, response.content
    video = response.json()
    assert (video["object"], video["status"], video["seconds"], video["size"]) == \
        ("video", "queued", "8", "1280x720")
    assert Video.objects.get().prompt == "a paper boat"
    missing = client.generic("POST", "/v1/videos", "seconds=8",
                             content_type="application/x-www-form-urlencoded")
    assert missing.status_code == 400
    assert missing.json()["error"]["code"] == "missing_required_parameter"
