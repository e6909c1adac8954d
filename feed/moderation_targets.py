"""How moderation finds, shows and removes comments (registered from FeedConfig.ready)."""

from typing import Any

from .models import Comment
from .services.engagement import comment_remove_by_moderation


def _comment(target_id: str) -> Comment | None:
    return Comment.objects.filter(pk=int(target_id)).first() if target_id.isdigit() else None


def comment_owner(target_id: str) -> int | None:
    comment = _comment(target_id)
    return comment.author_id if comment else None


def comment_enforce(target_id: str, action: str) -> None:
    # Comments have no restricted or labelled state: only removal means something.
    if action == "remove" and target_id.isdigit():
        comment_remove_by_moderation(comment_id=int(target_id))


def comment_describe(target_id: str) -> dict[str, Any]:
    comment = _comment(target_id)
    if comment is None:
        return {}
    return {"title": "Comment", "text": comment.body,
            "details": {"video_id": str(comment.post.video_id)}}
