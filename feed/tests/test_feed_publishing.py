"""Publishing, unpublishing, refusals, remix chains and the access rules given to generation."""

import pytest
from feed_factories import post_make, video_ids, video_make

from accounts.models import Follow
from events.models import Notification
from feed.models import Post
from generation.access import can_view, remix_allowed
from generation.models import Video

pytestmark = pytest.mark.django_db


def test_publish_update_and_unpublish(ana, user_factory, login):
    user, client = ana
    video = video_make(user)
    url = f"/api/v1/videos/{video.pk}/publish"
    body = {"caption": "snow day #Winter", "hashtags": ["#fox"], "visibility": "public"}
    created = client.post(url, body, format="json")
    assert created.status_code == 201, created.content
    out = created.json()
    assert out["hashtags"] == ["fox", "winter"]
    assert out["author"]["handle"] == "ana" and out["counts"]["likes"] == 0
    assert out["remix"] is None and out["liked"] is False
    updated = client.post(url, {"caption": "x", "allow_comments": False}, format="json")
    assert updated.status_code == 200 and updated.json()["allow_comments"] is False
    bob = login(user_factory(handle="bob"))
    assert bob.get(f"/api/v1/videos/{video.pk}/post").status_code == 200
    assert client.delete(url).status_code == 204
    assert not Post.objects.exists()
    assert bob.get(f"/api/v1/videos/{video.pk}/post").status_code == 404
    missing = client.delete(url)
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "feed.not_published"


@pytest.mark.parametrize(("fields", "status", "code"), [
    ({"status": Video.Status.IN_PROGRESS}, 409, "feed.video_not_completed"),
    ({"status": Video.Status.FAILED}, 409, "feed.video_not_completed"),
    ({"held_for_review": True}, 409, "feed.video_held_for_review"),
    ({"restricted": True}, 403, "feed.video_restricted"),
])
def test_publish_refusals(ana, fields, status, code):
    user, client = ana
    video = video_make(user, **fields)
    response = client.post(f"/api/v1/videos/{video.pk}/publish", {}, format="json")
    assert response.status_code == status
    assert response.json()["error"]["code"] == code
    assert not Post.objects.exists()


def test_publish_deleted_or_foreign_video(ana, user_factory):
    user, client = ana
    from django.utils import timezone

    deleted = video_make(user, deleted_at=timezone.now())
    response = client.post(f"/api/v1/videos/{deleted.pk}/publish", {}, format="json")
    assert response.status_code == 410
    assert response.json()["error"]["code"] == "feed.video_deleted"
    foreign = video_make(user_factory())
    assert client.post(f"/api/v1/videos/{foreign.pk}/publish", {},
                       format="json").status_code == 404


def test_invalid_hashtag_is_a_field_error(ana):
    user, client = ana
    video = video_make(user)
    response = client.post(f"/api/v1/videos/{video.pk}/publish", {"hashtags": ["no spaces"]},
                           format="json")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "feed.invalid_term"


def test_remix_chain_credits_counts_and_event(user_factory, login,
                                              django_capture_on_commit_callbacks):
    ana, bob, cy = (user_factory(handle=h) for h in ("ana", "bob", "cy"))
    root = post_make(ana)
    bob_video = video_make(bob, remix_of=root.video, remix_root=root.video, remix_depth=1)
    bob_post = post_make(bob, video=bob_video)
    cy_video = video_make(cy, remix_of=bob_video, remix_root=root.video, remix_depth=2)
    cy_post = post_make(cy, video=cy_video)
    private_video = video_make(cy, remix_of=bob_video, remix_root=root.video, remix_depth=2)
    post_make(cy, video=private_video, visibility="private")

    viewer = login(user_factory())
    out = viewer.get(f"/api/v1/videos/{cy_video.pk}/post").json()
    assert out["remix"] == {"parent_video_id": str(bob_video.pk),
                            "root_video_id": str(root.video_id), "depth": 2,
                            "parent_creator": "bob", "root_creator": "ana"}
    bob_post.refresh_from_db()
    root.refresh_from_db()
    assert bob_post.remix_count == 1  # the private remix is not counted
    assert root.remix_count == 1
    remixes = viewer.get(f"/api/v1/videos/{bob_video.pk}/remixes")
    assert video_ids(remixes) == [str(cy_post.video_id)]
    events = Notification.objects.filter(type="feed.remixed")
    assert {(e.user.handle, e.payload["by"]["handle"]) for e in events} == {("ana", "bob"),
                                                                             ("bob", "cy")}
    # Unpublishing the remix gives the count back.
    cy_client = login(cy)
    assert cy_client.delete(f"/api/v1/videos/{cy_video.pk}/publish").status_code == 204
    bob_post.refresh_from_db()
    assert bob_post.remix_count == 0


def test_access_rules_for_generation(user_factory):
    ana, bob, fan = user_factory(), user_factory(), user_factory()
    public = post_make(ana)
    locked = post_make(ana, allow_remix=False)
    private = post_make(ana, visibility="private")
    followers = post_make(ana, visibility="followers")
    unpublished = video_make(ana)
    for _ in range(3):  # follow row ids then differ from user ids (they once were confused)
        Follow.objects.create(follower=user_factory(), followee=bob)
    Follow.objects.create(follower=fan, followee=ana)
    assert can_view(user_id=bob.pk, video=public.video)
    assert remix_allowed(user_id=bob.pk, video=public.video)
    assert can_view(user_id=bob.pk, video=locked.video)
    assert not remix_allowed(user_id=bob.pk, video=locked.video)
    assert not can_view(user_id=bob.pk, video=private.video)
    assert not remix_allowed(user_id=bob.pk, video=private.video)
    assert not can_view(user_id=bob.pk, video=unpublished)
    assert not can_view(user_id=bob.pk, video=followers.video)
    assert can_view(user_id=fan.pk, video=followers.video)
    assert remix_allowed(user_id=fan.pk, video=followers.video)


def test_remix_endpoint_answers_404_for_private_source(user_factory, login):
    ana = user_factory()
    private = post_make(ana, visibility="private")
    bob = login(user_factory())
    response = bob.post(f"/api/v1/videos/{private.video_id}/remix", {"prompt": "again"},
                        format="json")
    assert response.status_code == 404


def test_feed_pages_render_posts_exactly_as_the_post_endpoint(user_factory, login):
    """Feed pages build posts without DRF fields (speed); the shape must stay PostOut's."""
    ana, bob = user_factory(handle="ana"), user_factory(handle="bob")
    root = post_make(ana, caption="first #fox", hashtags=["fox"])
    remix_video = video_make(bob, remix_of=root.video, remix_root=root.video, remix_depth=1)
    post_make(bob, video=remix_video, caption="again")
    viewer_user = user_factory()
    viewer = login(viewer_user)
    assert viewer.post(f"/api/v1/videos/{root.video_id}/like").status_code in (200, 201)
    for author in (ana, bob):
        Follow.objects.create(follower=viewer_user, followee=author)
    # Profiles, not following: following shows one post per story (the remix only).
    page = [item for handle in ("ana", "bob")
            for item in viewer.get(f"/api/v1/users/{handle}/posts").json()["results"]]
    assert len(page) == 2
    for item in page:
        single = viewer.get(f"/api/v1/videos/{item['video_id']}/post").json()
        assert item == single
    assert {item["liked"] for item in page} == {True, False}
    assert any(item["remix"] for item in page)
