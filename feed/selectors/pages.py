"""Loading one page of posts with everything the output needs, in a constant number of queries."""

from collections.abc import Iterable

from django.db.models import Exists, OuterRef, QuerySet

from ..models import Like, Post

_PAGE_FIELDS = (
    "id", "video_id", "author_id", "caption", "hashtags", "allow_remix", "allow_comments",
    "visibility", "remix_depth", "like_count", "comment_count", "view_count", "remix_count",
    "share_count", "published_at",
    "author__handle", "author__display_name",
    "video__width", "video__height", "video__duration_s", "video__label", "video__status",
    "parent_video_id", "root_video_id", "parent_author__handle", "root_author__handle",
)


def _page_rows(posts: QuerySet[Post], ids: list[int], viewer_id: int) -> QuerySet[Post]:
    """Author, video and remix credits joined, and whether the viewer liked each post (an
    EXISTS per row: no second round trip). Lists pick their ids first without joining users
    (keeps the planner on the indexes); creators deactivated since drop out here."""
    liked = Like.objects.filter(user_id=viewer_id, post_id=OuterRef("pk"))
    return (posts.filter(id__in=ids, author__is_active=True)
            .select_related("author", "video", "parent_author", "root_author")
            .only(*_PAGE_FIELDS).annotate(viewer_liked=Exists(liked)))


def _loaded(rows: Iterable[Post]) -> tuple[list[Post], set[int]]:
    loaded = list(rows)
    return loaded, {post.pk for post in loaded if getattr(post, "viewer_liked", False)}


def page_posts(posts: QuerySet[Post], ids: list[int], *,
               viewer_id: int) -> tuple[list[Post], set[int]]:
    """One query for the page, in the order of `ids` (a page can come back a little short)."""
    if not ids:
        return [], set()
    loaded, liked_ids = _loaded(_page_rows(posts, ids, viewer_id))
    by_id = {post.pk: post for post in loaded}
    return [by_id[i] for i in ids if i in by_id], liked_ids


def newest_page_posts(posts: QuerySet[Post], ids: list[int], *, viewer_id: int,
                      limit: int) -> tuple[list[Post], set[int]]:
    """One query: the newest `limit` of `ids` that `posts` lets through, newest first."""
    if not ids:
        return [], set()
    return _loaded(_page_rows(posts, ids, viewer_id).order_by("-id")[:limit])


def liked_post_ids(*, viewer_id: int, posts: Iterable[Post]) -> set[int]:
    ids = [post.pk for post in posts]
    if not ids:
        return set()
    return set(Like.objects.filter(user_id=viewer_id, post_id__in=ids)
               .values_list("post_id", flat=True))
