import io

import pytest
from PIL import Image

from events.models import Notification

pytestmark = pytest.mark.django_db


@pytest.fixture
def pair(user_factory, login):
    ana, bob = user_factory(handle="ana"), user_factory(handle="bob")
    return ana, bob, login(ana), login(bob)


def test_follow_creates_event_and_mutuals_derive(pair, django_capture_on_commit_callbacks):
    _ana, bob, ana_c, bob_c = pair
    with django_capture_on_commit_callbacks(execute=True):
        assert ana_c.post("/api/v1/users/bob/follow").status_code == 201
    assert ana_c.post("/api/v1/users/bob/follow").status_code == 200  # idempotent
    events = Notification.objects.filter(user=bob, type="accounts.followed")
    assert events.count() == 1
    assert events.get().payload["follower"]["handle"] == "ana"
    profile = ana_c.get("/api/v1/users/bob").data
    assert profile["is_following"] is True and profile["is_mutual"] is False
    assert profile["followers_count"] == 1
    bob_c.post("/api/v1/users/ana/follow")
    assert ana_c.get("/api/v1/users/bob").data["is_mutual"] is True
    followers = bob_c.get("/api/v1/users/bob/followers").data["results"]
    assert [f["handle"] for f in followers] == ["ana"]
    assert ana_c.delete("/api/v1/users/bob/follow").status_code == 204
    assert ana_c.get("/api/v1/users/bob").data["is_following"] is False


def test_follow_self_and_unknown(pair):
    _, _, ana_c, _ = pair
    response = ana_c.post("/api/v1/users/ana/follow")
    assert response.status_code == 400
    assert response.data["error"]["code"] == "accounts.cannot_follow_self"
    missing = ana_c.post("/api/v1/users/nobody/follow")
    assert missing.status_code == 404
    assert missing.data["error"]["code"] == "not_found"


def test_block_hides_both_ways_and_removes_follows(pair):
    _, _, ana_c, bob_c = pair
    ana_c.post("/api/v1/users/bob/follow")
    bob_c.post("/api/v1/users/ana/follow")
    assert ana_c.post("/api/v1/users/bob/block").status_code == 204
    assert bob_c.get("/api/v1/users/ana").status_code == 404
    assert ana_c.get("/api/v1/users/bob").status_code == 404
    assert bob_c.post("/api/v1/users/ana/follow").status_code == 404
    assert ana_c.post("/api/v1/users/bob/follow").status_code == 404
    assert ana_c.delete("/api/v1/users/bob/block").status_code == 204
    profile = ana_c.get("/api/v1/users/bob").data
    assert profile["is_following"] is False and profile["follows_you"] is False


def test_a_block_holds_whoever_blocked_first_and_blocking_again_is_fine(pair):
    _, _, ana_c, bob_c = pair
    assert bob_c.post("/api/v1/users/ana/block").status_code == 204
    assert bob_c.post("/api/v1/users/ana/block").status_code == 204  # idempotent, like follow
    # Ana, blocked by Bob, blocks him too; his unblock then leaves hers in place.
    assert ana_c.post("/api/v1/users/bob/block").status_code == 204
    assert bob_c.delete("/api/v1/users/ana/block").status_code == 204
    assert bob_c.get("/api/v1/users/ana").status_code == 404
    assert bob_c.post("/api/v1/users/ana/follow").status_code == 404
    assert ana_c.post("/api/v1/users/nobody/block").status_code == 404


def test_profile_update_and_avatar_checked_by_content(pair):
    _ana, _, ana_c, bob_c = pair
    assert ana_c.patch("/api/v1/me", {"display_name": "Ana B", "bio": "hi"},
                       format="json").data["display_name"] == "Ana B"
    png = io.BytesIO()
    Image.new("RGB", (800, 600), "red").save(png, format="PNG")
    png.seek(0)
    png.name = "face.txt"  # the name is ignored: the content decides
    response = ana_c.put("/api/v1/me/avatar", {"avatar": png}, format="multipart")
    assert response.status_code == 200
    assert response.data["avatar_url"].endswith(".jpg")
    fake = io.BytesIO(b"GIF89a not really an image")
    fake.name = "face.png"
    bad = ana_c.put("/api/v1/me/avatar", {"avatar": fake}, format="multipart")
    assert bad.status_code in (400, 415)
    assert bad.data["error"]["code"] in ("upload.invalid_image", "upload.unsupported_type")
    assert bob_c.get("/api/v1/users/ana").data["bio"] == "hi"


def test_delete_account_erases_personal_data(pair, api):
    ana, _bob, ana_c, bob_c = pair
    bob_c.post("/api/v1/users/ana/follow")
    wrong = ana_c.delete("/api/v1/me", {"password": "nope"}, format="json")
    assert wrong.data["error"]["code"] == "accounts.wrong_password"
    assert ana_c.delete("/api/v1/me", {"password": "correct-horse-battery-staple"},
                        format="json").status_code == 204
    ana.refresh_from_db()
    assert ana.email.endswith("@deleted.invalid") and ana.birthdate is None
    assert ana.display_name == "" and not ana.is_active
    assert bob_c.get("/api/v1/users/ana").status_code == 404
    assert ana_c.get("/api/v1/me").status_code == 401
    assert api.post("/api/v1/auth/login", {"login": "ana@example.com",
                    "password": "correct-horse-battery-staple"}, format="json").status_code == 401
