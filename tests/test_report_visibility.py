"""A report on something the reporter cannot see is answered as for an id that does not exist,
so reports cannot probe for drafts, private or followers-only posts and the comments under
them, or cameo uses in videos the reporter cannot see; and it creates nothing."""

import uuid

import pytest

from accounts.models import Follow
from cameo.models import Receipt
from feed.models import Comment, Post
from feed.services import post_publish
from feed.services.publishing import PostSettings
from generation.models import Video
from moderation.models import Case, Report

pytestmark = pytest.mark.django_db


def video_make(owner, **fields):
    fields.setdefault("status", Video.Status.COMPLETED)
    return Video.objects.create(owner=owner, prompt="a fox in snow", seconds=4,
                                aspect_ratio="9:16", resolution="480p", width=480, height=854,
                                seed=1, model_name="tiny", cost=10, **fields)


def post_make(owner, visibility=Post.Visibility.PUBLIC):
    video = video_make(owner)
    post, _ = post_publish(user=owner, video_id=video.pk,
                           settings=PostSettings(visibility=visibility))
    return post


def report(client, target_type, target_id):
    return client.post("/api/v1/reports", {"target_type": target_type, "target_id": target_id,
                                           "reason": "harassment"}, format="json")


@pytest.fixture
def people(user_factory, login):
    owner, stranger = user_factory(), user_factory()
    return owner, stranger, login(stranger)


def hidden_targets(owner):
    """One target of every kind the stranger may not see, and a twin id that does not exist."""
    draft = video_make(owner, status=Video.Status.COMPLETED)  # never published
    private = post_make(owner, Post.Visibility.PRIVATE)
    followers = post_make(owner, Post.Visibility.FOLLOWERS)
    under_private = Comment.objects.create(post=private, author=owner, body="hi")
    under_followers = Comment.objects.create(post=followers, author=owner, body="hi")
    use = Receipt.objects.create(owner=owner, requester=owner, video=draft, body={}, sha256="0")
    return {
        "draft video": ("video", str(draft.pk), str(uuid.uuid4())),
        "private post": ("video", str(private.video_id), str(uuid.uuid4())),
        "followers-only post": ("video", str(followers.video_id), str(uuid.uuid4())),
        "comment under a private post": ("comment", str(under_private.pk), "999999"),
        "comment under a followers-only post": ("comment", str(under_followers.pk), "999998"),
        "cameo use in a draft": ("cameo_use", str(use.pk), str(uuid.uuid4())),
    }


@pytest.mark.parametrize("kind", ["draft video", "private post", "followers-only post",
                                  "comment under a private post",
                                  "comment under a followers-only post",
                                  "cameo use in a draft"])
def test_reporting_what_you_cannot_see_is_a_plain_not_found(people, kind):
    owner, _, stranger = people
    target_type, hidden_id, unknown_id = hidden_targets(owner)[kind]
    hidden, unknown = report(stranger, target_type, hidden_id), report(stranger, target_type,
                                                                       unknown_id)
    assert unknown.status_code == 404
    assert (hidden.status_code, hidden.json()) == (unknown.status_code, unknown.json())
    assert not Report.objects.exists() and not Case.objects.exists()


def test_an_inactive_account_is_reported_as_unknown(people, user_factory):
    _, _, stranger = people
    gone = user_factory(is_active=False)
    hidden, unknown = report(stranger, "account", str(gone.pk)), report(stranger, "account",
                                                                        "987654")
    assert hidden.status_code == unknown.status_code == 404
    assert hidden.json() == unknown.json()
    assert not Case.objects.exists()


def test_what_you_can_see_you_can_report(people):
    owner, stranger_user, stranger = people
    public = post_make(owner)
    followers = post_make(owner, Post.Visibility.FOLLOWERS)
    Follow.objects.create(follower=stranger_user, followee=owner)
    comment = Comment.objects.create(post=followers, author=owner, body="hi")
    for target in (("video", str(public.video_id)), ("video", str(followers.video_id)),
                   ("comment", str(comment.pk)), ("account", str(owner.pk))):
        assert report(stranger, *target).status_code == 201, target
    assert Report.objects.count() == 4
