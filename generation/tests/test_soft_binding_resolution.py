"""The C2PA Soft Binding Resolution API end to end: a generated video loses its manifest and its
soundtrack to a re-upload (H.264 CRF 32 at half size, through ffmpeg's libraries), and a C2PA
tool holding that copy gets the original, signed and trusted manifest back, by uploading the
copy and by the watermark value it decoded itself."""

import base64
import io
from pathlib import Path

import numpy as np
import pytest

from generation.manifests import manifest_store_bytes
from generation.media import encode_frames, probe
from generation.models import ManifestRecord, Video
from generation.postprocess import trust_anchors_pem
from generation.provenance import invisible
from generation.provenance.c2pa_verify import read_watermark, verify_file
from generation.provenance.manifest_store import STORE_MEDIA_TYPE, check_store
from generation.tests.reupload import strip

pytestmark = pytest.mark.django_db

SBR = "/c2pa/sbr/v1"


def binding_value(payload: int) -> str:
    return base64.b64encode(payload.to_bytes(8, "big")).decode()


@pytest.fixture
def generated(user_factory, login, django_capture_on_commit_callbacks) -> Video:
    # Random content seed and watermark payload (the model's default), as for anyone's video.
    client = login(user_factory(handle="ana"))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/api/v1/videos", {"prompt": "a red fox running through snow",
                                                  "seconds": 4}, format="json")
    assert response.status_code == 202, response.content
    video = Video.objects.get(pk=response.json()["id"])
    assert video.status == Video.Status.COMPLETED, video.error_code
    return video


def test_a_stripped_copy_resolves_to_its_original_manifest(generated, api, tmp_path):
    record = ManifestRecord.objects.get(video=generated)
    assert record.binding_value == generated.watermark_id
    original = verify_file(Path(generated.video_file.path), trust_anchors_pem())
    assert original.c2pa_trusted
    assert original.soft_binding == {"alg": invisible.ALGORITHM,
                                     "payload": generated.watermark_id,
                                     "url": "http://127.0.0.1:8000/c2pa/sbr/v1"}

    stripped = strip(Path(generated.video_file.path))
    copy = tmp_path / "reupload.mp4"
    copy.write_bytes(stripped)
    info = probe(copy)
    assert info.audio_codec is None and info.width == generated.width // 2
    assert not verify_file(stripped, trust_anchors_pem()).c2pa_present

    by_content = api.post(f"{SBR}/matches/byContent?maxResults=5", data=stripped,
                          content_type="video/mp4")
    assert by_content.status_code == 200, by_content.content
    assert by_content.json() == {"matches": [{"manifestId": record.manifest_id,
                                              "similarityScore": 100}]}

    decoded = read_watermark(stripped)  # what a C2PA tool that knows the algorithm reads
    assert decoded.found and decoded.payload == generated.watermark_id
    by_binding = api.get(f"{SBR}/matches/byBinding",
                         {"alg": invisible.ALGORITHM, "value": binding_value(decoded.payload)})
    assert by_binding.status_code == 200
    assert [m["manifestId"] for m in by_binding.json()["matches"]] == [record.manifest_id]
    posted = api.post(f"{SBR}/matches/byBinding", {"alg": invisible.ALGORITHM,
                                                   "value": binding_value(decoded.payload)},
                      format="json")
    assert posted.json() == by_binding.json()

    fetched = api.get(f"{SBR}/manifests/{record.manifest_id}",
                      HTTP_ACCEPT=STORE_MEDIA_TYPE)
    assert fetched.status_code == 200
    assert fetched["Content-Type"] == STORE_MEDIA_TYPE
    check = check_store(fetched.content, trust_anchors_pem())
    assert check.manifest_id == record.manifest_id
    assert check.signature_valid and check.trusted, check.failures
    assert check.summary["soft_binding"]["payload"] == generated.watermark_id
    agent = check.summary["actions"][0]["softwareAgent"]
    assert agent["name"] == generated.model_name
    # The very store the original file carries, and it matches that file's bytes exactly.
    assert fetched.content == manifest_store_bytes(record)
    assert original.validation_state == "Trusted"


@pytest.mark.parametrize("older", ["org.castline.wm.tile16-conv.v5",
                                   "org.castline.wm.tile16-conv.v4"])
def test_a_manifest_recorded_under_a_previous_version_still_resolves(generated, api, older):
    """Records written before v6 name v5 or v4; both changed only the embedder, so the same
    detector reads their marks and every readable name resolves the same payload."""
    record = ManifestRecord.objects.get(video=generated)
    ManifestRecord.objects.filter(pk=record.pk).update(binding_alg=older)
    for alg in invisible.READABLE_ALGORITHMS:
        response = api.get(f"{SBR}/matches/byBinding",
                           {"alg": alg, "value": binding_value(generated.watermark_id)})
        assert response.status_code == 200
        assert [m["manifestId"] for m in response.json()["matches"]] == [record.manifest_id]


def test_supported_algorithms_name_the_watermark(api):
    response = api.get(f"{SBR}/services/supportedAlgorithms")
    assert response.status_code == 200
    # The current version first, then older ones whose marks the detector still reads.
    assert response.json() == {"watermarks": [{"alg": "org.castline.wm.tile16-conv.v6"},
                                              {"alg": "org.castline.wm.tile16-conv.v5"},
                                              {"alg": "org.castline.wm.tile16-conv.v4"}],
                               "fingerprints": []}


def test_an_unknown_watermark_value_matches_nothing(api):
    response = api.get(f"{SBR}/matches/byBinding",
                       {"alg": invisible.ALGORITHM, "value": binding_value(12345)})
    assert response.status_code == 200 and response.json() == {"matches": []}


def test_an_unmarked_video_matches_nothing(api):
    frames = np.random.default_rng(3).integers(0, 255, (24, 96, 128, 3)).astype(np.uint8)
    buffer = io.BytesIO()
    encode_frames(frames, 24, buffer)
    response = api.post(f"{SBR}/matches/byContent", data=buffer.getvalue(),
                        content_type="video/mp4")
    assert response.status_code == 200 and response.json() == {"matches": []}


@pytest.mark.parametrize(("method", "path", "kwargs", "status", "code"), [
    ("get", "/matches/byBinding", {"data": {"alg": "com.example.other.1",
                                            "value": "AAAAAAAAMDk="}},
     400, "sbr.unsupported_algorithm"),
    ("get", "/matches/byBinding", {"data": {"alg": invisible.ALGORITHM, "value": "%%%"}},
     400, "sbr.invalid_binding_value"),
    ("get", "/matches/byBinding", {"data": {"alg": invisible.ALGORITHM, "value": "AAAA"}},
     400, "sbr.invalid_binding_value"),
    ("get", "/matches/byBinding", {"data": {"alg": invisible.ALGORITHM}},
     400, "validation_error"),
    ("get", "/matches/byBinding", {"data": {"alg": invisible.ALGORITHM,
                                            "value": "AAAAAAAAMDk=", "maxResults": "0"}},
     400, "validation_error"),
    ("post", "/matches/byBinding", {"data": b"{not json", "content_type": "application/json"},
     400, "request.malformed"),
    ("post", "/matches/byContent", {"data": b"not a video at all",
                                    "content_type": "video/mp4"},
     400, "provenance.unreadable"),
    ("post", "/matches/byContent", {"data": b"", "content_type": "video/mp4"},
     400, "provenance.unreadable"),
    ("post", "/matches/byContent", {"data": b"\x89PNG....", "content_type": "image/png"},
     415, "request.unsupported_media_type"),
    ("post", "/matches/byContent?alg=com.example.other.1",
     {"data": b"x", "content_type": "video/mp4"}, 400, "sbr.unsupported_algorithm"),
    ("get", "/manifests/urn:c2pa:0b4ff0a1-8f43-4a38-9c62-0b1e6b0e4f2d", {},
     404, "sbr.manifest_not_found"),
    ("get", "/manifests/not-a-urn", {}, 400, "sbr.invalid_manifest_id"),
])
def test_bad_input_is_a_clear_4xx(api, method, path, kwargs, status, code):
    response = getattr(api, method)(f"{SBR}{path}", **kwargs)
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["error"]["code"] == code


def test_a_huge_upload_is_refused_before_reading(api, settings):
    settings.MAX_UPLOAD_BYTES = 1024
    response = api.post(f"{SBR}/matches/byContent", data=b"\0" * 4096,
                        content_type="application/octet-stream")
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "upload.too_large"


def test_the_resolver_is_rate_limited(api, monkeypatch):
    from django.core.cache import cache
    from rest_framework.throttling import ScopedRateThrottle

    cache.clear()
    rates = {**ScopedRateThrottle.THROTTLE_RATES, "sbr": "2/min"}
    monkeypatch.setattr(ScopedRateThrottle, "THROTTLE_RATES", rates)
    answers = [api.get(f"{SBR}/services/supportedAlgorithms") for _ in range(3)]
    assert [a.status_code for a in answers] == [200, 200, 429]
    assert answers[2].json()["error"]["code"] == "rate_limited"


def test_a_decompression_bomb_is_too_large_before_decoding(api):
    from PIL import Image

    bomb = io.BytesIO()
    Image.new("1", (20000, 20000)).save(bomb, format="PNG")  # 48 kB, 1.2 GB as RGB
    response = api.post(f"{SBR}/matches/byContent", data=bomb.getvalue(),
                        content_type="application/octet-stream")
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "upload.too_large"
