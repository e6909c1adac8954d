"""Captions and comments go through the prompt policy; comments can be reported and removed."""

import pytest

from feed.models import Comment

pytestmark = pytest.mark.django_db


@pytest.fixture
def published(user_factory, login, make_video):
    creator = user_factory()
    client = login(creator)
    video = make_video(creator)
    assert client.post(f"/api/v1/videos/{video.pk}/publish", {"caption": "sunset"},
                       format="json").status_code == 201
    return video, client


def test_blocked_caption_is_refused(user_factory, login, make_video):
    creator = user_factory()
    client = login(creator)
    video = make_video(creator)
    response = client.post(f"/api/v1/videos/{video.pk}/publish",
                           {"caption": "a n.u.d.e beach"}, format="json")
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "moderation.prompt_blocked"


def test_blocked_comment_is_refused_and_reported_comment_removed(published, user_factory,
                                                                  login):
    video, _ = published
    fan = login(user_factory())
    bad = fan.post(f"/api/v1/videos/{video.pk}/comments", {"body": "n u d e pics"},
                   format="json")
    assert bad.status_code == 422 and Comment.objects.count() == 0
    ok = fan.post(f"/api/v1/videos/{video.pk}/comments", {"body": "lovely"}, format="json")
    comment_id = ok.json()["id"]
    reporter = login(user_factory())
    report = reporter.post("/api/v1/reports", {"target_type": "comment",
                                               "target_id": str(comment_id),
                                               "reason": "harassment"}, format="json")
    assert report.status_code == 201, report.content
    moderator = login(user_factory(role="moderator"))
    case_id = report.json()["case_id"]
    decided = moderator.post(f"/api/v1/moderation/cases/{case_id}/decide",
                             {"action": "remove", "reason_code": "harassment"}, format="json")
    assert decided.status_code in (200, 201), decided.content
    assert not Comment.objects.filter(pk=comment_id).exists()
    post = fan.get(f"/api/v1/videos/{video.pk}/post").json()
    assert post["counts"]["comments"] == 0


def test_a_removed_or_deleted_remix_leaves_its_parents_remix_count(user_factory, login):
    from feed_factories import post_make, video_make

    from feed.models import Post

    ana, bob = user_factory(handle="ana"), user_factory(handle="bob")
    root = post_make(ana)
    remixes = [video_make(bob, remix_of=root.video, remix_root=root.video, remix_depth=1)
               for _ in range(2)]
    for video in remixes:
        post_make(bob, video=video)
    viewer = login(user_factory())

    def remixes_shown() -> int:
        return viewer.get(f"/api/v1/videos/{root.video_id}/post").json()["counts"]["remixes"]

    assert remixes_shown() == 2
    report = viewer.post("/api/v1/reports", {"target_type": "video",
                                             "target_id": str(remixes[0].pk),
                                             "reason": "violence"}, format="json")
    assert report.status_code == 201, report.content
    moderator = login(user_factory(role="moderator"))
    decide = f"/api/v1/moderation/cases/{report.json()['case_id']}/decide"
    assert moderator.post(decide, {"action": "remove", "reason_code": "violence"},
                          format="json").status_code in (200, 201)
    assert remixes_shown() == 1
    assert login(bob).delete(f"/api/v1/videos/{remixes[1].pk}").status_code == 204
    assert remixes_shown() == 0
    assert Post.objects.get(pk=root.pk).remix_count == 0


@pytest.mark.parametrize(("down", "up"), [("restrict", "unrestrict"), ("remove", "unremove")])
def test_a_moderation_decision_and_its_reversal_reach_for_you(down, up, user_factory, login):
    """For-you candidates read the post's copy of the video state (Post.in_feeds): taking a
    video down must clear it and reversing the decision must set it again, or the post would
    never come back to anyone's for-you."""
    from feed_factories import post_make, video_ids, video_make

    from billing.services import credits_capture, credits_reserve
    from feed.models import Post
    from generation.moderation_targets import video_enforce

    ana = user_factory(handle="ana")
    # As a finished job leaves it: its file kept and its credits captured (a removal can be
    # reversed only then).
    video = video_make(ana, video_file="videos/ana.mp4")
    credits_reserve(user_id=ana.pk, amount=video.cost, reference=video.reservation_reference,
                    reason="generation")
    credits_capture(reference=video.reservation_reference)
    post = post_make(ana, video=video)
    other = post_make(user_factory(handle="bob"))
    viewer = login(user_factory())
    assert set(video_ids(viewer.get("/api/v1/feed/for-you"))) == {
        str(post.video_id), str(other.video_id)}

    video_enforce(str(post.video_id), down)
    assert video_ids(viewer.get("/api/v1/feed/for-you")) == [str(other.video_id)]
    assert Post.objects.get(pk=post.pk).in_feeds is False

    video_enforce(str(post.video_id), up)
    assert set(video_ids(viewer.get("/api/v1/feed/for-you"))) == {
        str(post.video_id), str(other.video_id)}
    assert Post.objects.get(pk=post.pk).in_feeds is True


def test_a_deleted_video_leaves_for_you_candidates(user_factory, login):
    from feed_factories import post_make, video_ids

    from feed.models import Post

    ana = user_factory(handle="ana")
    post = post_make(ana)
    viewer = login(user_factory())
    assert video_ids(viewer.get("/api/v1/feed/for-you")) == [str(post.video_id)]
    assert login(ana).delete(f"/api/v1/videos/{post.video_id}").status_code == 204
    assert video_ids(viewer.get("/api/v1/feed/for-you")) == []
    assert Post.objects.get(pk=post.pk).in_feeds is False
