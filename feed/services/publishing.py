"""Publishing a completed video as a post, unpublishing it, erasing an account's posts."""

from dataclasses import dataclass, field
from uuid import UUID

from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from accounts.facade import User
from core.errors import DomainError, NotFoundError
from generation import facade as generation
from moderation import facade as moderation

from .. import events
from ..models import Comment, Like, Post, PostCast, PostHashtag
from ..ranking import hot_base
from ..selectors.visibility import in_feeds_q, post_may_see
from ..tags import hashtags_from
from .counters import counter_add


@dataclass(frozen=True)
class PostSettings:
    caption: str = ""
    hashtags: list[str] = field(default_factory=list)
    allow_remix: bool = True
    allow_extend: bool = True
    allow_comments: bool = True
    visibility: str = Post.Visibility.PUBLIC
    choice_label: str = ""  # the branch's "what happens next" in its story


def _check_publishable(video: generation.VideoToPublish) -> None:
    if video.deleted_at is not None:
        raise DomainError("feed.video_deleted", "This video was deleted.", status_code=410)
    if video.status != generation.STATUS_COMPLETED:
        raise DomainError("feed.video_not_completed",
                          f"Only completed videos can be published (this one is {video.status}).",
                          status_code=409)
    if video.held_for_review:
        raise DomainError("feed.video_held_for_review",
                          "This video is waiting for a moderator; publish it after review.",
                          status_code=409)
    if video.restricted:
        raise DomainError("feed.video_restricted",
                          "Moderation restricted this video; it cannot be published.",
                          status_code=403)


def remix_count_refresh(*, parent_video_id: UUID) -> Post | None:
    """Recount the public remixes of a post under its row lock (publish and unpublish race).
    Only remixes feeds may show count: removed, restricted, held or deleted ones do not."""
    parent = Post.objects.select_for_update().filter(video_id=parent_video_id).first()
    if parent is None:
        return None
    count = Post.objects.filter(in_feeds_q(), parent_video_id=parent_video_id,
                                visibility=Post.Visibility.PUBLIC).count()
    if count != parent.remix_count:
        counter_add(post_id=parent.pk, field="remix_count", delta=count - parent.remix_count)
    return parent


@transaction.atomic
def post_publish(*, user: User, video_id: UUID, settings: PostSettings) -> tuple[Post, bool]:
    """Publish (or update the settings of) the owner's completed video; True when new."""
    video = generation.video_lock_own(owner_id=user.pk, video_id=video_id)
    _check_publishable(video)
    caption_check = " ".join([settings.caption, *settings.hashtags, settings.choice_label])
    moderation.prompt_check(text=caption_check, teen=user.is_teen).raise_if_blocked()
    tags = hashtags_from(settings.hashtags, settings.caption)
    post = Post.objects.filter(video_id=video.id).first()
    created = post is None
    if post is None:
        now = timezone.now()
        owners = generation.video_owner_ids(video_ids=[video.remix_of_id, video.remix_root_id])
        post = Post(video_id=video.id, author=user, published_at=now, hot_base=hot_base(now),
                    hot_score=hot_base(now), parent_video_id=video.remix_of_id,
                    root_video_id=video.remix_root_id, remix_depth=video.remix_depth,
                    parent_author_id=owners.get(video.remix_of_id),
                    root_author_id=owners.get(video.remix_root_id),
                    story_author_ids=list(video.author_ids) if len(video.author_ids) > 1
                    else [], collaborators=list(video.collaborators))
    was_visible = not created and post.visibility != Post.Visibility.PRIVATE
    post.caption = settings.caption
    post.choice_label = settings.choice_label
    post.hashtags = tags
    post.allow_remix = settings.allow_remix
    post.allow_extend = settings.allow_extend
    post.allow_comments = settings.allow_comments
    post.visibility = settings.visibility
    post.save()
    PostHashtag.objects.filter(post=post).delete()
    PostHashtag.objects.bulk_create(PostHashtag(post=post, tag=tag) for tag in tags)
    if created:
        handles = {str(h).lower().removeprefix("@") for h in video.cast_handles}
        PostCast.objects.bulk_create(PostCast(post=post, handle=h) for h in sorted(handles))
    if post.parent_video_id is not None:
        parent = remix_count_refresh(parent_video_id=post.parent_video_id)
        # The parent's creator hears of it only if they may see the remix.
        if (parent is not None and not was_visible
                and post_may_see(viewer_id=parent.author_id, post=post, video=video)):
            events.remixed_publish(parent=parent, remix=post, by=user)
    return post, created


@transaction.atomic
def post_unpublish(*, user: User, video_id: UUID) -> None:
    """Take the post down: its likes, comments and views go with it; the video stays."""
    video = generation.video_lock_own(owner_id=user.pk, video_id=video_id)
    post = Post.objects.filter(video_id=video.id).first()
    if post is None:
        raise NotFoundError("feed.not_published", "This video is not published.")
    parent_video_id = post.parent_video_id
    post.delete()
    if parent_video_id is not None:
        remix_count_refresh(parent_video_id=parent_video_id)


@transaction.atomic
def posts_erase_for_account(user: User) -> None:
    """Account erasure: the person's posts, likes and comments go; counters follow."""
    for video_id in Post.objects.filter(author=user).values_list("video_id", flat=True):
        post_unpublish(user=user, video_id=video_id)
    liked = list(Like.objects.filter(user=user).values_list("post_id", flat=True))
    Like.objects.filter(user=user).delete()
    for post_id in liked:
        counter_add(post_id=post_id, field="like_count", delta=-1)
    commented = set(Comment.objects.filter(author=user).values_list("post_id", flat=True))
    Comment.objects.filter(author=user).delete()
    counts = dict(Comment.objects.filter(post_id__in=commented).values("post_id")
                  .annotate(n=Count("id")).values_list("post_id", "n"))
    for post in Post.objects.select_for_update().filter(pk__in=commented).order_by("pk"):
        counter_add(post_id=post.pk, field="comment_count",
                    delta=counts.get(post.pk, 0) - post.comment_count)



def video_shown_changed(video: generation.VideoAccess) -> None:
    """generation's hook: a published video taken down, restored, restricted, labelled or
    deleted updates its post's copy of the video's state (Post.in_feeds), and a remix
    recounts its parent's remixes (a job completing has no post yet: nothing to do).
    Read from the database: callers may have changed the row with update()."""
    posts = Post.objects.filter(video_id=video.id)
    shown = posts.filter(in_feeds_q()).exists()
    if not posts.update(in_feeds=shown):
        return
    if video.remix_of_id is not None:
        remix_count_refresh(parent_video_id=video.remix_of_id)
