"""/v1/videos/characters through the official SDK: a character from a short video of shapes,
read, shared, cast by name or id on both doors (its frame conditions the backend, its id is in
the C2PA consent record), refused when it shows a human face or a protected name or likeness,
erased on delete; bad uploads are 4xx in OpenAI's shape."""

import json
from pathlib import Path

import numpy as np
import openai
import pytest
from django.core.files.storage import default_storage
from django.test import override_settings
from PIL import Image

from accounts.services import account_delete
from cameo import vault
from cameo.models import Cameo, Character, CharacterUse, ProtectedLikeness, Receipt
from cameo.tests.cameo_factories import verified_cameo
from cameo.verification import encode_image
from generation import pipeline
from generation.casting import FenceVerdict
from generation.models import Video
from generation.provenance.c2pa_verify import verify_file
from tests.faces import faces_dir
from tests.factories import PASSWORD

from .media import encode_mp4, toy_video

pytestmark = pytest.mark.django_db
FACES = faces_dir()


def photo_video(photo: Path, seconds: float = 1.5, fps: int = 8) -> bytes:
    """A still portrait, slowly panned: what a phone filming a person looks like to us."""
    image = Image.open(photo).convert("RGB")
    image.thumbnail((480, 480))
    base = np.asarray(image.resize((image.width // 2 * 2, image.height // 2 * 2)))
    return encode_mp4([np.roll(base, i, axis=1) for i in range(int(seconds * fps))], fps)


def face_photo(name: str) -> Path:
    path = FACES / name
    if not path.exists():
        pytest.skip(f"shared face fixture {path} absent (set FACES_FIXTURES_DIR)")
    return path


def face_encoding(name: str) -> np.ndarray:
    return encode_image(np.asarray(Image.open(face_photo(name)).convert("RGB")))[0]


@pytest.fixture
def ana(user_factory, sdk_for):
    user = user_factory(handle="ana")
    return user, sdk_for(user)


@pytest.fixture
def bob(user_factory, sdk_for):
    user = user_factory(handle="bob")
    return user, sdk_for(user)


def make_character(sdk: openai.OpenAI, name: str = "Rex the Toy", video: bytes | None = None,
                   **extra):
    return sdk.videos.create_character(name=name, video=("rex.mp4", video or toy_video(),
                                                         "video/mp4"), **extra)


def test_create_character_from_a_video_of_shapes_then_get_it(ana):
    _user, sdk = ana
    made = make_character(sdk)
    assert isinstance(made, openai.types.VideoCreateCharacterResponse)
    assert made.id.startswith("char_") and made.name == "Rex the Toy"
    assert isinstance(made.created_at, int)
    got = sdk.videos.get_character(made.id)
    assert isinstance(got, openai.types.VideoGetCharacterResponse)
    assert (got.id, got.name, got.created_at) == (made.id, made.name, made.created_at)
    extra = got.model_extra or {}
    assert extra["mention"] == "@rexthetoy" and extra["audience"] == "only_me"
    # The reference frame is stored encrypted; decrypted it is the toy scene (blue sky).
    row = Character.objects.get(public_id=made.id)
    with row.image.open("rb") as handle:
        assert handle.read(3) != b"\xff\xd8\xff"  # not a readable JPEG at rest
    frame = vault.jpeg_to_rgb(vault.read_sealed_file(row.image, bound_to=f"character:{made.id}"))
    assert frame.shape[2] == 3 and abs(int(frame[10, 10, 2]) - 160) < 30
    listed = sdk.get("/videos/characters", cast_to=object)
    assert [c["id"] for c in listed["data"]] == [made.id]  # type: ignore[index]


def test_another_accounts_character_is_404_unless_shared(ana, bob):
    _, ana_sdk = ana
    _bob_user, bob_sdk = bob
    private = make_character(ana_sdk)
    with pytest.raises(openai.NotFoundError) as caught:
        bob_sdk.videos.get_character(private.id)
    assert caught.value.code == "character.not_found"
    with pytest.raises(openai.NotFoundError):
        bob_sdk.videos.create(prompt=f"@{private.id} on the moon")
    with pytest.raises(openai.NotFoundError):
        bob_sdk.delete(f"/videos/characters/{private.id}", cast_to=object)
    assert Video.objects.count() == 0 and Character.objects.count() == 1
    # Shared with @bob by name: he may cast it (by id), still not read or delete it.
    shared = make_character(ana_sdk, name="Mochi", video=toy_video(color=(250, 250, 250)),
                            extra_body={"audience": "approved", "approved_handles": ["bob"]})
    made = bob_sdk.videos.create(prompt="a cat naps in a basket",
                                 extra_body={"characters": [shared.id]})
    assert made.status == "queued"
    assert CharacterUse.objects.get().character.public_id == shared.id
    with pytest.raises(openai.NotFoundError):
        bob_sdk.videos.get_character(shared.id)


def test_sharing_later_lets_others_cast_it_and_unsharing_stops_them(ana, bob):
    _, ana_sdk = ana
    _, bob_sdk = bob
    character = make_character(ana_sdk)
    shared = ana_sdk.post(f"/videos/characters/{character.id}", cast_to=object,
                          body={"audience": "everyone"})
    assert shared["audience"] == "everyone"  # type: ignore[index]
    assert bob_sdk.videos.create(prompt=f"@{character.id} on a boat").status == "queued"
    ana_sdk.post(f"/videos/characters/{character.id}", cast_to=object,
                 body={"audience": "only_me"})
    with pytest.raises(openai.NotFoundError):
        bob_sdk.videos.create(prompt=f"@{character.id} on a train")
    with pytest.raises(openai.BadRequestError) as caught:
        ana_sdk.post(f"/videos/characters/{character.id}", cast_to=object,
                     body={"audience": "approved", "approved_handles": ["nobody_here"]})
    assert caught.value.code == "character.unknown_handles"


def test_account_erasure_erases_its_characters(ana, django_capture_on_commit_callbacks):
    user, sdk = ana
    name = Character.objects.get(public_id=make_character(sdk).id).image.name
    with django_capture_on_commit_callbacks(execute=True):
        account_delete(user=user, password=PASSWORD)
    assert not Character.objects.exists() and not default_storage.exists(name)


@pytest.mark.django_db(transaction=True)
def test_cast_by_name_conditions_the_backend_and_is_in_the_provenance(ana, monkeypatch):
    _user, sdk = ana
    character = make_character(sdk)
    seen: list[np.ndarray | None] = []
    real_get_backend = pipeline.get_backend

    def recording_backend(*args, **kwargs):  # the real backend; we only read its specs
        backend = real_get_backend(*args, **kwargs)
        generate = backend.generate

        class Recording:
            def generate(self, spec, reporter):
                seen.append(spec.condition_image)
                return generate(spec, reporter)

        return Recording()

    monkeypatch.setattr(pipeline, "get_backend", recording_backend)
    video = sdk.videos.create_and_poll(prompt="@RexTheToy rolls across a kitchen floor",
                                       size="480x854", seconds="4", poll_interval_ms=10)
    assert video.status == "completed", video
    row = Character.objects.get(public_id=character.id)
    reference = vault.jpeg_to_rgb(vault.read_sealed_file(row.image,
                                                         bound_to=f"character:{row.public_id}"))
    assert seen and seen[0] is not None and np.array_equal(seen[0], reference)
    # The signed C2PA manifest of the file names the character and its frame's hash.
    report = verify_file(sdk.videos.download_content(video.id).read())
    assert report.c2pa_valid and report.consent is not None
    assert {"id": character.id, "sha256": row.image_sha256} in report.consent["receipts"]


def test_app_door_casts_by_the_characters_parameter(ana, login):
    user, sdk = ana
    character = make_character(sdk)
    client = login(user)
    response = client.post("/api/v1/videos", {"prompt": "a toy on a shelf", "seconds": 4,
                                              "characters": [character.id]}, format="json")
    assert response.status_code == 202, response.json()
    assert CharacterUse.objects.get().video_id == Video.objects.get().pk
    missing = client.post("/api/v1/videos", {"prompt": "a toy", "characters": ["char_nope"]},
                          format="json")
    assert missing.status_code == 404 and missing.json()["error"]["code"] == \
        "character.not_found"


def test_delete_erases_the_reference_and_later_casts_fail(ana,
                                                         django_capture_on_commit_callbacks):
    _, sdk = ana
    character = make_character(sdk)
    name = Character.objects.get(public_id=character.id).image.name
    assert default_storage.exists(name)
    queued = sdk.videos.create(prompt="@rexthetoy in the rain")
    with django_capture_on_commit_callbacks(execute=True):  # the file goes after the commit
        deleted = sdk.delete(f"/videos/characters/{character.id}", cast_to=object)
    assert deleted == {"id": character.id, "object": "video.character.deleted",
                       "deleted": True}
    assert not default_storage.exists(name) and not Character.objects.exists()
    # The queued job that cast it stops at its fence instead of using erased data.
    video_id = Video.objects.get().pk
    assert queued.id == f"video_{video_id.hex}"
    assert CharacterUse.objects.get(video_id=video_id).character is None
    assert pipeline.casting().fence(video_id=video_id) == FenceVerdict.broken("character.deleted")
    with pytest.raises(openai.NotFoundError):
        sdk.videos.get_character(character.id)
    with pytest.raises(openai.NotFoundError) as caught:
        sdk.videos.create(prompt=f"@{character.id} again")
    assert caught.value.code == "character.not_found"


@pytest.mark.parametrize("name", ["Pikachu", "Mickey Mouse"])
def test_a_copyrighted_character_name_is_refused(ana, name):
    _, sdk = ana
    with pytest.raises(openai.BadRequestError) as caught:
        make_character(sdk, name=name)
    assert caught.value.code == "moderation_blocked"
    assert not Character.objects.exists()


def test_a_human_face_is_refused_unless_it_is_your_verified_cameo(ana, bob):
    ana_user, ana_sdk = ana
    _, bob_sdk = bob
    clip = photo_video(face_photo("obama.jpg"))
    with pytest.raises(openai.BadRequestError) as caught:
        make_character(bob_sdk, name="My friend", video=clip)
    assert caught.value.code == "character.human_face" and caught.value.param == "video"
    assert not Character.objects.exists()
    verified_cameo(ana_user, encoding=face_encoding("obama2.jpg"),
                   audience=Cameo.Audience.ONLY_ME)
    own = make_character(ana_sdk, name="Me as a mascot", video=clip,
                         extra_body={"audience": "everyone"})
    assert own.id.startswith("char_")
    # Her face is in it, so casting it casts her cameo: her consent rules apply, not the
    # character's audience.
    with pytest.raises(openai.PermissionDeniedError) as refused:
        bob_sdk.videos.create(prompt=f"@{own.id} dancing")
    assert refused.value.code == "cameo.not_allowed"
    ana_sdk.videos.create(prompt="@measamascot dancing")
    assert Receipt.objects.get().owner_id == ana_user.pk


def test_a_protected_likeness_is_refused(ana):
    user, sdk = ana
    verified_cameo(user, encoding=face_encoding("biden.jpg"))  # even with a cameo
    entry = ProtectedLikeness.objects.create(name="Famous", reason="public_figure",
                                             encoding=b"")
    entry.encoding = vault.seal_encoding(face_encoding("obama2.jpg"),
                                         bound_to=f"protected:{entry.pk}")
    entry.save()
    with pytest.raises(openai.BadRequestError) as caught:
        make_character(sdk, name="Statesman", video=photo_video(face_photo("obama.jpg")))
    assert caught.value.code == "character.protected_likeness"


@pytest.mark.parametrize(("upload", "status", "code"), [
    (("notes.mp4", b"\x00\x00\x00\x18ftypmp42 but not a video at all" * 10, "video/mp4"),
     415, "character.not_a_video"),
    (("cat.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 100, "image/png"), 415,
     "character.not_a_video"),
])
def test_bad_uploads_are_4xx_in_openai_shape(ana, upload, status, code):
    _, sdk = ana
    with pytest.raises(openai.APIStatusError) as caught:
        sdk.videos.create_character(name="Rex", video=upload)
    assert caught.value.status_code == status and caught.value.code == code
    body = json.loads(caught.value.response.text)
    assert set(body["error"]) >= {"message", "type", "param", "code"}
    assert not Character.objects.exists()


@override_settings(CHARACTER_MAX_SECONDS=2)
def test_a_too_long_video_is_refused(ana):
    _, sdk = ana
    with pytest.raises(openai.BadRequestError) as caught:
        make_character(sdk, video=toy_video(seconds=4))
    assert caught.value.code == "character.video_too_long"
    assert not Character.objects.exists()


@pytest.mark.parametrize("padding", [0, 100 * 1024])  # the file's size; the request's
@override_settings(CHARACTER_MAX_UPLOAD_BYTES=5_000)
def test_a_too_big_video_is_refused(ana, padding):
    _, sdk = ana
    big = toy_video() + b"\x00" * padding
    assert len(big) > 5_000
    with pytest.raises(openai.APIStatusError) as caught:
        make_character(sdk, video=big)
    assert caught.value.status_code == 413 and caught.value.code == "character.video_too_large"
    assert not Character.objects.exists()


def test_a_second_character_with_the_same_mention_is_409(ana):
    _, sdk = ana
    make_character(sdk)
    with pytest.raises(openai.ConflictError) as caught:
        make_character(sdk, name="rex the toy")
    assert caught.value.code == "character.name_taken"


@pytest.mark.parametrize(("name", "mention"), [
    ("Zoë Ünïcode", "@zoeunicode"),  # accents folded, not dropped (was @zoncode)
    ("Al", None),                    # too short for a prompt mention: cast by id
    ("A" * 40, None),                # too long for one
])
def test_the_mention_offered_is_one_a_prompt_casts(ana, name, mention):
    _user, sdk = ana
    character = make_character(sdk, name=name)
    offered = (character.model_extra or {})["mention"]
    assert offered == (mention or f"@{character.id}")
    video = sdk.videos.create(prompt=f"{offered} waves at the camera", size="480x854")
    use = CharacterUse.objects.get()
    assert use.character.public_id == character.id
    assert use.video_id == Video.objects.get(pk=video.id.removeprefix("video_")).pk
