"""Feed input and output shapes."""

from collections.abc import Iterable, Mapping
from typing import Any

from django.conf import settings
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.fields import IdField, StrictCharField
from generation.facade import content_links, story_author_handles

from ..models import Comment, Post, SteeringTerm
from ..selectors.stories import StoryNode, StoryTree


class PublishIn(serializers.Serializer[None]):
    caption = StrictCharField(max_length=500, required=False, default="",
                                    allow_blank=True)
    hashtags = serializers.ListField(child=StrictCharField(max_length=51),
                                     required=False, default=list, max_length=30)
    allow_remix = serializers.BooleanField(required=False, default=True)
    allow_extend = serializers.BooleanField(
        required=False, default=True, help_text="Others may continue this video (a relay).")
    allow_comments = serializers.BooleanField(required=False, default=True)
    visibility = serializers.ChoiceField(choices=Post.Visibility.values, required=False,
                                         default=Post.Visibility.PUBLIC)
    choice_label = StrictCharField(max_length=80, required=False, default="", allow_blank=True)


class PageIn(serializers.Serializer[None]):
    cursor = StrictCharField(required=False, max_length=200)
    page_size = serializers.IntegerField(required=False, min_value=1,
                                         max_value=settings.FEED_MAX_PAGE_SIZE)


class AuthorOut(serializers.Serializer[Any]):
    handle = serializers.CharField()
    display_name = serializers.CharField()


# A post's denormalised counters: their names in the API and their Post columns.
COUNTERS = {"likes": "like_count", "comments": "comment_count", "views": "view_count",
            "remixes": "remix_count", "shares": "share_count"}


class CountsOut(serializers.Serializer[None]):
    def get_fields(self) -> dict[str, serializers.Field[Any, Any, Any, Any]]:
        return {name: serializers.IntegerField() for name in COUNTERS}


class RemixCreditOut(serializers.Serializer[None]):
    parent_video_id = serializers.UUIDField(allow_null=True)
    root_video_id = serializers.UUIDField(allow_null=True)
    depth = serializers.IntegerField()
    parent_creator = serializers.CharField(allow_null=True)
    root_creator = serializers.CharField(allow_null=True)


class StoryRefOut(serializers.Serializer[None]):
    id = serializers.UUIDField(help_text="The story's root video: GET /api/v1/stories/{id}.")
    branches = serializers.IntegerField(help_text="Its public branches feeds may show.")


class VideoRefOut(serializers.Serializer[None]):
    width = serializers.IntegerField()
    height = serializers.IntegerField()
    duration_s = serializers.FloatField(allow_null=True)
    label = serializers.CharField()  # type: ignore[assignment]  # a field, not Field.label
    content = serializers.CharField()
    thumbnail = serializers.CharField()


def author_out(post: Post) -> dict[str, str]:
    return {"handle": post.author.handle, "display_name": post.author.display_name}


def counts_out(post: Post) -> dict[str, int]:
    return {name: getattr(post, column) for name, column in COUNTERS.items()}


def remix_out(post: Post) -> dict[str, Any] | None:
    """The remix chain, crediting the parent's and the root's creators."""
    if post.remix_depth == 0:
        return None
    parent, root = post.parent_author, post.root_author
    return {"parent_video_id": str(post.parent_video_id) if post.parent_video_id else None,
            "root_video_id": str(post.root_video_id) if post.root_video_id else None,
            "depth": post.remix_depth,
            "parent_creator": parent.handle if parent else None,
            "root_creator": root.handle if root else None}


def video_ref_out(post: Post) -> dict[str, Any]:
    video = post.video
    links = content_links(post.video_id)
    return {"width": video.width, "height": video.height, "duration_s": video.duration_s,
            "label": video.label, "content": links["video"], "thumbnail": links["thumbnail"]}


def chain_handles(rows: Iterable[Mapping[str, Any]]) -> dict[int, str]:
    """The handles of every relay author on a page: one query, none when no post is a relay."""
    chains = [tuple(row["story_author_ids"]) for row in rows if row["story_author_ids"]]
    return story_author_handles(chains=chains) if chains else {}


def authors_out(*, story_author_ids: list[int], author_handle: str,
                handles: Mapping[int, str]) -> list[str]:
    """Everyone whose footage is in the post's file, oldest first (a relay's chain)."""
    if not story_author_ids:
        return [author_handle]
    return [handles[i] for i in story_author_ids if i in handles]


_datetime_out = serializers.DateTimeField().to_representation


def post_out(row: Mapping[str, Any], handles: Mapping[int, str]) -> dict[str, Any]:
    """PostOut's shape built straight from a page row (selectors.pages.PostRow), for feed
    pages: model instances and DRF's per-field machinery cost more than the rest of a page's
    Python. A test holds the two equal. `handles`: the page's chain_handles."""
    links = content_links(row["video_id"])
    remix = None if row["remix_depth"] == 0 else {
        "parent_video_id": str(row["parent_video_id"]) if row["parent_video_id"] else None,
        "root_video_id": str(row["root_video_id"]) if row["root_video_id"] else None,
        "depth": row["remix_depth"], "parent_creator": row["parent_author__handle"],
        "root_creator": row["root_author__handle"]}
    return {"video_id": str(row["video_id"]),
            "author": {"handle": row["author__handle"],
                       "display_name": row["author__display_name"]},
            "caption": row["caption"], "hashtags": list(row["hashtags"]),
            "visibility": row["visibility"], "allow_remix": row["allow_remix"],
            "allow_extend": row["allow_extend"], "allow_comments": row["allow_comments"],
            "published_at": _datetime_out(row["published_at"]),
            "counts": {"likes": row["like_count"], "comments": row["comment_count"],
                       "views": row["view_count"], "remixes": row["remix_count"],
                       "shares": row["share_count"]},
            "remix": remix,
            "authors": authors_out(story_author_ids=row["story_author_ids"],
                                   author_handle=row["author__handle"], handles=handles),
            "collaborators": list(row["collaborators"]),
            "video": {"width": row["video__width"], "height": row["video__height"],
                      "duration_s": row["video__duration_s"], "label": row["video__label"],
                      "content": links["video"], "thumbnail": links["thumbnail"]},
            "liked": bool(row["viewer_liked"]), "choice_label": row["choice_label"],
            "story": {"id": str(row["story_id"]), "branches": row["story_branches"]}}


class PostOut(serializers.Serializer[Any]):
    """A post as feeds show it (the OpenAPI shape; feed pages render it with `post_out`);
    `liked` comes from the page's liked ids (context)."""

    video_id = serializers.UUIDField()
    author = serializers.SerializerMethodField()
    caption = serializers.CharField()
    hashtags = serializers.ListField(child=serializers.CharField())
    visibility = serializers.CharField()
    allow_remix = serializers.BooleanField()
    allow_extend = serializers.BooleanField()
    allow_comments = serializers.BooleanField()
    published_at = serializers.DateTimeField()
    counts = serializers.SerializerMethodField()
    remix = serializers.SerializerMethodField()
    authors = serializers.SerializerMethodField(
        help_text="Handles of everyone whose footage is in the file, oldest first (a relay's "
        "chain of authors; the author alone otherwise).")
    collaborators = serializers.ListField(
        child=serializers.CharField(),
        help_text="Handles of everyone who wrote the storyboard it was made from.")
    video = serializers.SerializerMethodField()
    liked = serializers.SerializerMethodField()
    choice_label = serializers.CharField()
    story = serializers.SerializerMethodField()

    @extend_schema_field(AuthorOut)
    def get_author(self, post: Post) -> dict[str, str]:
        return author_out(post)

    @extend_schema_field(CountsOut)
    def get_counts(self, post: Post) -> dict[str, int]:
        return counts_out(post)

    @extend_schema_field(RemixCreditOut(allow_null=True))
    def get_remix(self, post: Post) -> dict[str, Any] | None:
        return remix_out(post)

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_authors(self, post: Post) -> list[str]:
        rows = [{"story_author_ids": post.story_author_ids}]
        return authors_out(story_author_ids=post.story_author_ids,
                           author_handle=post.author.handle, handles=chain_handles(rows))

    @extend_schema_field(VideoRefOut)
    def get_video(self, post: Post) -> dict[str, Any]:
        return video_ref_out(post)

    @extend_schema_field(StoryRefOut)
    def get_story(self, post: Post) -> dict[str, Any]:
        # Annotated by post_get_visible(with_story=True).
        return {"id": str(post.root_video_id or post.video_id),
                "branches": getattr(post, "story_branches", 0)}

    def get_liked(self, post: Post) -> bool:
        return post.pk in self.context.get("liked_ids", ())


class PostPageOut(serializers.Serializer[None]):
    """One page of a feed or a post list: what `_page_response` sends."""

    results = PostOut(many=True)
    next = serializers.URLField(allow_null=True, help_text="The next page, or null at the end.")
    next_cursor = serializers.CharField(allow_null=True)


class CommentIn(serializers.Serializer[None]):
    body = StrictCharField(max_length=1000)
    parent_id = IdField(required=False, allow_null=True, default=None)


class CommentListIn(serializers.Serializer[None]):
    parent_id = IdField(required=False)


class CommentOut(serializers.ModelSerializer[Comment]):
    author = AuthorOut()

    class Meta:
        model = Comment
        fields = ["id", "parent_id", "author", "body", "created_at"]


class ShareIn(serializers.Serializer[None]):
    channel = StrictCharField(max_length=30, required=False, default="",
                                    allow_blank=True)


class ViewOut(serializers.Serializer[None]):
    counted = serializers.BooleanField()


class SteeringIn(serializers.Serializer[None]):
    term = StrictCharField(max_length=51)
    direction = serializers.ChoiceField(choices=SteeringTerm.Direction.values)


class SteeringOut(serializers.ModelSerializer[SteeringTerm]):
    class Meta:
        model = SteeringTerm
        fields = ["term", "direction", "created_at"]


class ChoiceLabelIn(serializers.Serializer[None]):
    choice_label = StrictCharField(max_length=80, allow_blank=True)


class CanonicalPathIn(serializers.Serializer[None]):
    path = serializers.ListField(child=serializers.UUIDField(),
                                 max_length=settings.STORY_MAX_DEPTH + 1)


class BranchArrangeIn(serializers.Serializer[None]):
    pinned = serializers.BooleanField(required=False)
    hidden = serializers.BooleanField(required=False)


# ?from=<node>: "from" is a Python keyword, so the class is built with type().
PlaybackIn = type("PlaybackIn", (serializers.Serializer,),
                  {"from": serializers.UUIDField(required=False),
                   "__doc__": "Where playback starts: a node of the story (default its root)."})


class ChoiceIn(serializers.Serializer[None]):
    node = serializers.UUIDField(help_text="The clip just watched.")
    choice = serializers.UUIDField(help_text="The branch directly below it the viewer took.")


class ChoiceOut(serializers.Serializer[None]):
    counted = serializers.BooleanField()
    choice = serializers.UUIDField(help_text="The viewer's choice at this node (the first).")


def story_node_out(node: StoryNode, *, viewer_id: int, owner_id: int) -> dict[str, Any]:
    """One node and its subtree. A tombstone carries its id and children only: nothing of its
    content (no author, label, thumbnail, counts, dates)."""
    out: dict[str, Any] = {"id": str(node.id), "tombstone": not node.shown}
    if node.shown and node.post is not None:
        post = node.post
        out.update({
            "kind": node.kind, "author": post["author__handle"],
            "choice_label": post["choice_label"],
            "thumbnail": content_links(node.id)["thumbnail"],
            "counts": {"likes": post["like_count"], "views": post["view_count"],
                       "branches": len(node.shown_children())},
            "created_at": _datetime_out(node.created_at),
            "pinned": node.pinned, "canonical": node.canonical})
        if node.hidden and viewer_id in (owner_id, post["author_id"]):
            out["hidden"] = True  # hidden by the root author: only these two still see it
    out["children"] = [story_node_out(child, viewer_id=viewer_id, owner_id=owner_id)
                       for child in node.children]
    return out


def story_out(tree: StoryTree, *, viewer_id: int) -> dict[str, Any]:
    return {"story_id": str(tree.root.id),
            "owner": viewer_id == tree.owner_id,
            "canonical_path": [str(node_id) for node_id in tree.canonical_path],
            "node_count": len(tree.by_id), "truncated": tree.truncated,
            "limits": {"max_nodes": settings.STORY_MAX_NODES,
                       "max_depth": settings.STORY_MAX_DEPTH},
            "root": story_node_out(tree.root, viewer_id=viewer_id, owner_id=tree.owner_id)}


def playback_out(tree: StoryTree, node: StoryNode, taken: dict[Any, int]) -> dict[str, Any]:
    """The clip, then its choices with labels and how many viewers took each."""
    clip = None
    if node.shown and node.post is not None:
        links = content_links(node.id)
        clip = {"id": str(node.id), "kind": node.kind, "author": node.post["author__handle"],
                "choice_label": node.post["choice_label"], "content": links["video"],
                "thumbnail": links["thumbnail"], "duration_s": node.post["video__duration_s"]}
    choices = [{"id": str(child.id), "choice_label": (child.post or {}).get("choice_label", ""),
                "author": (child.post or {}).get("author__handle"),
                "thumbnail": content_links(child.id)["thumbnail"],
                "taken": taken.get(child.id, 0), "canonical": child.canonical,
                "pinned": child.pinned}
               for child in node.shown_children()]
    most = max(choices, key=lambda c: c["taken"], default=None)
    canonical_next = next((c["id"] for c in choices if c["canonical"]), None)
    return {"story_id": str(tree.root.id), "node": str(node.id), "tombstone": not node.shown,
            "clip": clip, "choices": choices,
            "most_taken": most["id"] if most and most["taken"] else None,
            "canonical_next": canonical_next}
