"""Comment threads: top comments or the replies of one; blocked people's comments never show."""

from uuid import UUID

from django.db.models import QuerySet

from accounts.facade import User, blocked_user_ids

from ..models import Comment, SteeringTerm
from .visibility import post_get_visible


def comments_list(*, viewer: User, video_id: UUID, parent_id: int | None) -> QuerySet[Comment]:
    post = post_get_visible(viewer=viewer, video_id=video_id)
    return (Comment.objects.filter(post=post, parent_id=parent_id)
            .exclude(author_id__in=blocked_user_ids(viewer.pk))
            .select_related("author").only("id", "parent_id", "body", "created_at",
                                            "author__handle", "author__display_name"))


def steering_list(*, user: User) -> QuerySet[SteeringTerm]:
    return SteeringTerm.objects.filter(user=user).order_by("term")
