"""Likes, comments, views and shares; each keeps its post counter exact in the same transaction."""

from uuid import UUID

from django.db import transaction
from django.utils import timezone

from accounts.facade import User, blocked_user_ids
from core.errors import DomainError, ForbiddenError, NotFoundError
from moderation import facade as moderation

from .. import events
from ..models import Comment, Like, Post, Share, View
from ..selectors.visibility import post_get_visible
from .counters import counter_add
from .preferences import taste_forget


@transaction.atomic
def like_add(*, user: User, video_id: UUID) -> Post:
    post = post_get_visible(viewer=user, video_id=video_id)
    # The unique constraint decides between concurrent likes; only the winner counts.
    _, created = Like.objects.get_or_create(user=user, post=post)
    if created:
        counter_add(post_id=post.pk, field="like_count", delta=1)
        events.liked_publish(post=post, by=user)
        taste_forget(user)  # liked creators weigh in the viewer's next for-you page
    return post


@transaction.atomic
def like_remove(*, user: User, video_id: UUID) -> Post:
    post = post_get_visible(viewer=user, video_id=video_id)
    deleted, _ = Like.objects.filter(user=user, post=post).delete()
    if deleted:
        counter_add(post_id=post.pk, field="like_count", delta=-1)
        taste_forget(user)
    return post


def _post_lock(post_id: int) -> Post:
    """Lock before inserting or deleting comments, so two writers recount one after the other
    (no_key: likes may still insert meanwhile)."""
    return Post.objects.select_for_update(no_key=True).get(pk=post_id)


def _comment_count_refresh(post: Post) -> None:
    """Recount under the post's row lock: deleting a comment also deletes its replies."""
    post_id = post.pk
    count = Comment.objects.filter(post_id=post_id).count()
    if count != post.comment_count:
        counter_add(post_id=post_id, field="comment_count", delta=count - post.comment_count)


@transaction.atomic
def comment_create(*, user: User, video_id: UUID, body: str,
                   parent_id: int | None = None) -> Comment:
    post = post_get_visible(viewer=user, video_id=video_id)
    if not post.allow_comments:
        raise ForbiddenError("feed.comments_disabled", "The creator turned comments off.")
    parent = None
    if parent_id is not None:
        parent = Comment.objects.filter(pk=parent_id, post=post).first()
        if parent is None or parent.author_id in blocked_user_ids(user.pk):
            raise NotFoundError("feed.comment_not_found", "No such comment to reply to.")
        # One level of replies: answering a reply joins the thread of its top comment.
        if parent.parent_id is not None:
            parent = parent.parent
    body = body.strip()
    if not body:
        raise DomainError("feed.empty_comment", "A comment needs some text.",
                          fields={"body": ["Empty."]})
    moderation.prompt_check(text=body, teen=user.is_teen).raise_if_blocked()
    locked = _post_lock(post.pk)
    comment = Comment.objects.create(post=post, author=user, parent=parent, body=body)
    _comment_count_refresh(locked)
    events.commented_publish(post=post, comment=comment, by=user)
    return comment


@transaction.atomic
def comment_delete(*, user: User, video_id: UUID, comment_id: int) -> None:
    """The comment's author or the post's creator may delete it (replies go with it)."""
    post = post_get_visible(viewer=user, video_id=video_id)
    comment = Comment.objects.filter(pk=comment_id, post=post).first()
    if comment is None:
        raise NotFoundError("feed.comment_not_found", "No such comment.")
    if user.pk not in (comment.author_id, post.author_id):
        raise ForbiddenError("feed.not_comment_author",
                             "Only its author or the post's creator can delete a comment.")
    locked = _post_lock(post.pk)
    comment.delete()
    _comment_count_refresh(locked)


@transaction.atomic
def comment_remove_by_moderation(*, comment_id: int) -> None:
    """A moderator's removal: the comment (and its replies) go, the count follows."""
    comment = Comment.objects.filter(pk=comment_id).first()
    if comment is None:
        return
    locked = _post_lock(comment.post_id)
    comment.delete()
    _comment_count_refresh(locked)


@transaction.atomic
def view_record(*, user: User, video_id: UUID) -> bool:
    """Count one view per viewer, post and UTC day; True when this one counted."""
    post = post_get_visible(viewer=user, video_id=video_id)
    _, created = View.objects.get_or_create(user=user, post=post, day=timezone.now().date())
    if created:
        counter_add(post_id=post.pk, field="view_count", delta=1)
    return created


@transaction.atomic
def share_record(*, user: User, video_id: UUID, channel: str = "") -> Post:
    post = post_get_visible(viewer=user, video_id=video_id)
    Share.objects.create(user=user, post=post, channel=channel)
    counter_add(post_id=post.pk, field="share_count", delta=1)
    return post
