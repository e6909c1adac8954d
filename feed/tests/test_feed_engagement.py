"""Likes, comments (one level of replies), views once a day, shares and their counters/events."""

import pytest
from feed_factories import post_make

from accounts.models import Block
from events.models import Notification
from feed.models import Comment, Post

pytestmark = pytest.mark.django_db


@pytest.fixture
def scene(user_factory, login):
    ana, bob, cy = (user_factory(handle=h) for h in ("ana", "bob", "cy"))
    post = post_make(ana)
    return post, {"ana": login(ana), "bob": login(bob), "cy": login(cy)}


def counts(post: Post) -> dict[str, int]:
    post.refresh_from_db()
    return {"likes": post.like_count, "comments": post.comment_count, "views": post.view_count,
            "shares": post.share_count}


def test_like_is_idempotent_and_notifies(scene, django_capture_on_commit_callbacks):
    post, c = scene
    url = f"/api/v1/videos/{post.video_id}/like"
    first = c["bob"].post(url)
    assert first.status_code == 200 and first.json()["liked"] is True
    assert c["bob"].post(url).json()["counts"]["likes"] == 1
    c["cy"].post(url)
    c["ana"].post(url)  # the creator's own like counts but does not notify
    assert counts(post)["likes"] == 3
    assert Notification.objects.filter(type="feed.liked", user=post.author).count() == 2
    assert c["bob"].delete(url).json()["liked"] is False
    c["bob"].delete(url)
    assert counts(post)["likes"] == 2


def test_comments_replies_and_deletion_rights(scene):
    post, c = scene
    url = f"/api/v1/videos/{post.video_id}/comments"
    top = c["bob"].post(url, {"body": "nice"}, format="json").json()
    reply = c["cy"].post(url, {"body": "agreed", "parent_id": top["id"]}, format="json").json()
    deeper = c["bob"].post(url, {"body": "thanks", "parent_id": reply["id"]}, format="json")
    assert deeper.json()["parent_id"] == top["id"]  # one level: joins the top thread
    assert counts(post)["comments"] == 3
    assert [x["body"] for x in c["ana"].get(url).json()["results"]] == ["nice"]
    replies = c["ana"].get(url, {"parent_id": top["id"]}).json()["results"]
    assert sorted(x["body"] for x in replies) == ["agreed", "thanks"]
    other = c["cy"].delete(f"{url}/{deeper.json()['id']}")
    assert other.status_code == 403
    assert other.json()["error"]["code"] == "feed.not_comment_author"
    assert c["bob"].delete(f"{url}/{deeper.json()['id']}").status_code == 204  # own comment
    assert counts(post)["comments"] == 2
    assert c["ana"].delete(f"{url}/{top['id']}").status_code == 204  # creator, with replies
    assert counts(post)["comments"] == 0 and not Comment.objects.exists()
    types = set(Notification.objects.values_list("type", flat=True))
    assert "feed.commented" in types


def test_comments_disabled_and_blocked_comments_hidden(scene, user_factory, login):
    post, c = scene
    url = f"/api/v1/videos/{post.video_id}/comments"
    c["cy"].post(url, {"body": "from cy"}, format="json")
    bob = post.author.__class__.objects.get(handle="bob")
    cy = post.author.__class__.objects.get(handle="cy")
    Block.objects.create(blocker=bob, blocked=cy)
    assert c["bob"].get(url).json()["results"] == []
    Post.objects.filter(pk=post.pk).update(allow_comments=False)
    refused = c["bob"].post(url, {"body": "hi"}, format="json")
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "feed.comments_disabled"


def test_views_once_per_viewer_per_day_and_shares(scene):
    post, c = scene
    url = f"/api/v1/videos/{post.video_id}"
    assert c["bob"].post(f"{url}/view").json() == {"counted": True}
    assert c["bob"].post(f"{url}/view").json() == {"counted": False}
    c["cy"].post(f"{url}/view")
    c["bob"].post(f"{url}/share", {"channel": "link"}, format="json")
    c["bob"].post(f"{url}/share", {}, format="json")
    assert counts(post) == {"likes": 0, "comments": 0, "views": 2, "shares": 2}


def test_private_and_blocked_posts_take_no_interactions(user_factory, login):
    ana, bob = user_factory(), user_factory()
    private = post_make(ana, visibility="private")
    public = post_make(ana)
    Block.objects.create(blocker=ana, blocked=bob)
    client = login(bob)
    for post in (private, public):
        base = f"/api/v1/videos/{post.video_id}"
        for path in ("like", "view", "share", "not-interested"):
            assert client.post(f"{base}/{path}", {}, format="json").status_code == 404
        assert client.post(f"{base}/comments", {"body": "x"},
                           format="json").status_code == 404
        assert client.get(f"{base}/post").status_code == 404
    for post in (private, public):
        assert counts(post) == {"likes": 0, "comments": 0, "views": 0, "shares": 0}


def test_a_like_counts_in_the_next_for_you_ranking_at_once(user_factory, login):
    from feed.selectors.foryou import viewer_taste

    viewer, author = user_factory(), user_factory()
    client = login(viewer)
    post = post_make(author)
    assert client.get("/api/v1/feed/for-you").status_code == 200  # the taste is now cached
    assert viewer_taste(viewer=viewer).liked_authors[author.pk] == 0
    assert client.post(f"/api/v1/videos/{post.video_id}/like").status_code in (200, 201)
    assert viewer_taste(viewer=viewer).liked_authors[author.pk] == 1
    assert client.delete(f"/api/v1/videos/{post.video_id}/like").status_code in (200, 204)
    assert viewer_taste(viewer=viewer).liked_authors[author.pk] == 0
