"""Feed event payloads; event_publish stores them in the caller's transaction (pushed after)."""

from accounts.facade import User
from events.facade import event_publish

from .models import Comment, Post


def _actor(user: User) -> dict[str, str]:
    return {"handle": user.handle, "display_name": user.display_name}


def liked_publish(*, post: Post, by: User) -> None:
    if post.author_id != by.pk:
        event_publish(user_id=post.author_id, type="feed.liked",
                      payload={"video_id": str(post.video_id), "by": _actor(by)})


def commented_publish(*, post: Post, comment: Comment, by: User) -> None:
    payload = {"video_id": str(post.video_id), "comment_id": comment.pk,
               "parent_id": comment.parent_id, "body": comment.body, "by": _actor(by)}
    recipients = {post.author_id}
    if comment.parent is not None:
        recipients.add(comment.parent.author_id)
    for user_id in recipients - {by.pk}:
        event_publish(user_id=user_id, type="feed.commented", payload=payload)


def remixed_publish(*, parent: Post, remix: Post, by: User) -> None:
    if parent.author_id != by.pk:
        event_publish(user_id=parent.author_id, type="feed.remixed",
                      payload={"video_id": str(parent.video_id),
                               "remix_video_id": str(remix.video_id), "by": _actor(by)})
