"""Who may cast whom: audiences, allow and block lists, expiry, teens, owner rules."""

from datetime import date, timedelta

import pytest
from cameo_factories import make_video, verified_cameo
from django.utils import timezone

from accounts.models import Follow
from cameo.consent_log import sha256_of
from cameo.models import Cameo, ConsentLogEntry, Grant, Receipt
from events.models import Notification
from generation.models import Video
from generation.specs import shot_specs

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner(user_factory):
    return user_factory(handle="ana")


def code(response) -> str:
    return response.json()["error"]["code"]


@pytest.mark.parametrize("audience", ["only_me", "approved", "mutuals"])
def test_strangers_are_refused_unless_audience_is_everyone(
        owner, bob, audience, django_capture_on_commit_callbacks):
    verified_cameo(owner, audience=audience)
    _, client = bob
    response = make_video(client, django_capture_on_commit_callbacks, cameos=["ana"])
    assert response.status_code == 403 and code(response) == "cameo.not_allowed"
    assert not Video.objects.exists() and not Receipt.objects.exists()


def test_everyone_and_the_owner_may_cast(owner, bob, login, django_capture_on_commit_callbacks):
    verified_cameo(owner, audience="only_me")
    own = make_video(login(owner), django_capture_on_commit_callbacks, cameos=["ana"])
    assert own.status_code == 202, own.content
    Cameo.objects.filter(owner=owner).update(audience="everyone")
    response = make_video(bob[1], django_capture_on_commit_callbacks, cameos=["@ana"])
    assert response.status_code == 202, response.content


def test_approved_audience_follows_the_allow_list_and_its_expiry(
        owner, bob, login, django_capture_on_commit_callbacks):
    verified_cameo(owner, audience="approved")
    ana = login(owner)
    soon = (timezone.now() + timedelta(hours=1)).isoformat()
    granted = ana.post("/api/v1/cameo/grants/bob", {"expires_at": soon}, format="json")
    assert granted.status_code == 201 and granted.json()["handle"] == "bob"
    assert [g["handle"] for g in ana.get("/api/v1/cameo/grants").json()["results"]] == ["bob"]
    assert make_video(bob[1], django_capture_on_commit_callbacks,
                      cameos=["ana"]).status_code == 202
    Grant.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    expired = make_video(bob[1], django_capture_on_commit_callbacks, cameos=["ana"])
    assert expired.status_code == 403 and code(expired) == "cameo.not_allowed"


def test_mutuals_need_both_follows(owner, bob, django_capture_on_commit_callbacks):
    verified_cameo(owner, audience="mutuals")
    user, client = bob
    Follow.objects.create(follower=user, followee=owner)
    assert make_video(client, django_capture_on_commit_callbacks,
                      cameos=["ana"]).status_code == 403
    Follow.objects.create(follower=owner, followee=user)
    assert make_video(client, django_capture_on_commit_callbacks,
                      cameos=["ana"]).status_code == 202


def test_block_list_beats_everyone(owner, bob, login, django_capture_on_commit_callbacks):
    verified_cameo(owner, audience="everyone")
    assert login(owner).post("/api/v1/cameo/blocks/bob").status_code == 201
    response = make_video(bob[1], django_capture_on_commit_callbacks, cameos=["ana"])
    assert response.status_code == 403 and code(response) == "cameo.not_allowed"
    assert login(owner).delete("/api/v1/cameo/blocks/bob").status_code == 204
    assert make_video(bob[1], django_capture_on_commit_callbacks,
                      cameos=["ana"]).status_code == 202


def test_teen_defaults_to_only_me_and_adults_need_a_follow_back(
        user_factory, bob, login, django_capture_on_commit_callbacks):
    from cameo.enrollment import _default_audience

    teen = user_factory(handle="tia", birthdate=date.today() - timedelta(days=15 * 365))
    assert _default_audience(teen) == Cameo.Audience.ONLY_ME
    verified_cameo(teen, audience="everyone")
    adult, client = bob
    assert make_video(client, django_capture_on_commit_callbacks,
                      cameos=["tia"]).status_code == 403
    Follow.objects.create(follower=teen, followee=adult)
    assert make_video(client, django_capture_on_commit_callbacks,
                      cameos=["tia"]).status_code == 202


def test_owner_rule_blocks_without_revealing_it(owner, bob, login,
                                                django_capture_on_commit_callbacks):
    verified_cameo(owner, audience="everyone")
    patched = login(owner).patch("/api/v1/cameo/settings",
                                 {"rules": ["no political content"]}, format="json")
    assert patched.status_code == 200 and patched.json()["rules"] == ["no political content"]
    response = make_video(bob[1], django_capture_on_commit_callbacks, cameos=["ana"],
                          prompt="@ana giving a political speech at a rally")
    assert response.status_code == 422 and code(response) == "cameo.owner_rule"
    assert "politic" not in response.content.decode().lower()
    assert make_video(bob[1], django_capture_on_commit_callbacks, cameos=["ana"],
                      prompt="@ana surfing a big wave").status_code == 202


def test_preferences_reach_the_prompt_and_receipts_are_recorded(
        owner, bob, login, django_capture_on_commit_callbacks):
    verified_cameo(owner, audience="everyone")
    login(owner).patch("/api/v1/cameo/settings", {"preferences": "always wears a red scarf"},
                       format="json")
    user, client = bob
    response = make_video(client, django_capture_on_commit_callbacks, cameos=["ana"])
    video = Video.objects.get(pk=response.json()["id"])
    specs = shot_specs(shots=video.shots, style="", negative_prompt="", width=64, height=64,
                       seed=1, with_audio=False, preferences=video.provenance["preferences"])
    assert "always wears a red scarf" in specs[0].prompt
    receipt = Receipt.objects.get(video=video)
    assert (receipt.owner, receipt.requester) == (owner, user)
    assert receipt.sha256 == sha256_of(receipt.body)
    assert receipt.body["video_id"] == str(video.pk) and receipt.body["policy_version"] == 2
    assert video.provenance["cast"] == [{"handle": "ana", "user_id": owner.pk,
                                         "receipt_id": str(receipt.pk),
                                         "receipt_sha256": receipt.sha256}]
    assert Notification.objects.filter(user=owner, type="cameo.used").exists()
    assert ConsentLogEntry.objects.filter(owner_id=owner.pk, kind="used").count() == 1
