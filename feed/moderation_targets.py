"""How moderation finds, shows and removes comments (registered from FeedConfig.ready)."""

from typing import Any

from accounts.facade import blocked_user_ids
from core.ids import parse_id

from .models import Comment
from .selectors.visibility import post_may_see
from .services.engagement import comment_remove_by_moderation


def _comment(target_id: str) -> Comment | None:
    comment_id = parse_id(target_id)
    return Comment.objects.filter(pk=comment_id).first() if comment_id is not None else None


def comment_owner(target_id: str) -> int | None:
    comment = _comment(target_id)
    return comment.author_id if comment else None


def comment_visible_to(target_id: str, user_id: int) -> bool:
    """As the comment lists show it: under a post the user may see, not by someone blocked."""
    comment = _comment(target_id)
    if comment is None:
        return False
    post = comment.post
    return (post.author.is_active and post_may_see(viewer_id=user_id, post=post, video=post.video)
            and comment.author_id not in blocked_user_ids(user_id))


def comment_enforce(target_id: str, action: str) -> None:
    # Comments have no restricted or labelled state: only removal means something.
    comment_id = parse_id(target_id)
    if action == "remove" and comment_id is not None:
        comment_remove_by_moderation(comment_id=comment_id)


def comment_describe(target_id: str) -> dict[str, Any]:
    comment = _comment(target_id)
    if comment is None:
        return {}
    return {"title": "Comment", "text": comment.body,
            "details": {"video_id": str(comment.post.video_id)}}
