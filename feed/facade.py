"""What other apps may use of the feed: plain values only."""

from dataclasses import dataclass
from uuid import UUID

from .models import Post


@dataclass(frozen=True)
class PostSummary:
    video_id: UUID
    author_id: int
    visibility: str
    allow_remix: bool
    like_count: int
    comment_count: int
    view_count: int
    remix_count: int
    share_count: int


def post_summary(*, video_id: UUID) -> PostSummary | None:
    """The post of a video (None when unpublished), for moderation and notifications."""
    post = Post.objects.filter(video_id=video_id).first()
    if post is None:
        return None
    return PostSummary(video_id=post.video_id, author_id=post.author_id,
                       visibility=post.visibility, allow_remix=post.allow_remix,
                       like_count=post.like_count, comment_count=post.comment_count,
                       view_count=post.view_count, remix_count=post.remix_count,
                       share_count=post.share_count)


def is_published(*, video_id: UUID) -> bool:
    return Post.objects.filter(video_id=video_id).exists()
