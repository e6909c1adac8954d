"""A story as the viewer may see it: the tree of remixes and extensions under one root video.

Three queries whatever the tree's size: the story's videos (generation.facade.story_videos),
their posts with each post's visibility for this viewer decided in SQL (the same rules as
every list: selectors.visibility), and the root author's arrangement (Story). The tree is then
put together in Python.

What a viewer sees of a node:
- shown: its post is visible to them (the owner always sees their own, private included, unless
  deleted) and it is not inside a branch the root author hid (the root author and the node's
  own author still see it, marked hidden);
- a tombstone (id and children only: no author, label, thumbnail, counts) when it is not shown
  but something below it is, so the shown branches keep their place in the tree;
- nothing at all when neither it nor anything below it is shown (nothing to leak).
"""

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from uuid import UUID

from django.conf import settings
from django.db.models import BooleanField, Case, Count, Q, Value, When

from accounts.facade import User, blocked_either_way_q
from core.errors import NotFoundError
from generation import facade as generation

from ..models import Post, Story, StoryChoice
from .visibility import audience_q, in_feeds_q, teen_safe_q

POST_FIELDS = ("video_id", "author_id", "author__handle", "choice_label", "like_count",
               "view_count", "video__duration_s", "may_see")


@dataclass
class StoryNode:
    video: generation.StoryVideo
    post: dict[str, Any] | None  # POST_FIELDS; None when unpublished or not shown
    shown: bool
    pinned: bool = False
    hidden: bool = False  # hidden by the root author (only its own author and they see it)
    canonical: bool = False
    children: list["StoryNode"] = field(default_factory=list)

    @property
    def id(self) -> UUID:
        return self.video.id

    @property
    def kind(self) -> str:
        if self.video.parent_id is None:
            return "root"
        return "extension" if self.video.extension else "remix"

    @property
    def created_at(self) -> datetime:
        return self.video.created_at

    def walk(self) -> Iterator["StoryNode"]:
        stack = [self]
        while stack:
            node = stack.pop()
            yield node
            stack.extend(reversed(node.children))

    def shown_children(self) -> list["StoryNode"]:
        return [child for child in self.children if child.shown]


@dataclass
class StoryTree:
    root: StoryNode
    owner_id: int  # the root video's owner: who arranges the story
    canonical_path: list[UUID]  # the root author's path, cut where this viewer stops seeing it
    truncated: bool  # past STORY_MAX_NODES or STORY_MAX_DEPTH: the rest is not shown
    by_id: dict[UUID, StoryNode]  # every rendered node (shown or tombstone)
    all_ids: dict[UUID, UUID | None]  # every video of the story (even unrendered): its parent


def _may_see_q(viewer: User) -> Q:
    """visibility.post_may_see in SQL for the posts of a story, plus blocks and teen rules."""
    others = (in_feeds_q() & audience_q(viewer.pk) & Q(author__is_active=True)
              & ~blocked_either_way_q(viewer.pk, "author_id"))
    if viewer.is_teen:
        others &= teen_safe_q(viewer.pk)
    return Q(author_id=viewer.pk, video__deleted_at__isnull=True) | others


def _posts(viewer: User, root_id: UUID) -> dict[UUID, dict[str, Any]]:
    rows = (Post.objects.filter(Q(video_id=root_id) | Q(root_video_id=root_id))
            .annotate(may_see=Case(When(_may_see_q(viewer), then=Value(True)),
                                   default=Value(False), output_field=BooleanField()))
            .values(*POST_FIELDS))
    return {row["video_id"]: row for row in rows}


def story_tree(*, viewer: User, video_id: UUID) -> StoryTree:
    """The story `video_id` belongs to, as the viewer may see it. A video the viewer may not
    see (or not in any story) is a plain 404: the answer never confirms it exists."""
    max_nodes, max_depth = settings.STORY_MAX_NODES, settings.STORY_MAX_DEPTH
    # One more of each than shown: whether the story goes on past the cut.
    videos = generation.story_videos(video_id=video_id, max_depth=max_depth + 1,
                                     limit=max_nodes + 1)
    truncated = len(videos) > max_nodes or any(video.depth > max_depth for video in videos)
    videos = [video for video in videos[:max_nodes] if video.depth <= max_depth]
    if not videos or videos[0].parent_id is not None:
        raise NotFoundError("not_found", "No such story.")
    root_video = videos[0]
    posts = _posts(viewer, root_video.id)
    arrangement = Story.objects.filter(root_video_id=root_video.id).first()
    pinned = set(arrangement.pinned) if arrangement else set()
    hidden = set(arrangement.hidden) if arrangement else set()
    is_owner = viewer.pk == root_video.owner_id

    nodes: dict[UUID, StoryNode] = {}
    concealed: set[UUID] = set()  # inside a hidden branch
    for video in videos:  # parents first
        if video.parent_id is not None and video.parent_id not in nodes:
            continue  # its parent is gone (hard-deleted) or past the cut: unreachable
        post = posts.get(video.id)
        is_hidden = str(video.id) in hidden and video.parent_id is not None
        if is_hidden or video.parent_id in concealed:
            concealed.add(video.id)
        in_hidden = video.id in concealed and not (is_owner or video.owner_id == viewer.pk)
        shown = post is not None and bool(post["may_see"]) and not in_hidden
        node = StoryNode(video=video, post=post if shown else None, shown=shown,
                         pinned=str(video.id) in pinned, hidden=is_hidden)
        nodes[video.id] = node
        if video.parent_id is not None:
            nodes[video.parent_id].children.append(node)

    root = nodes[root_video.id]
    rendered = _prune(root)
    if rendered is None:  # nothing of it is visible to this viewer
        raise NotFoundError("not_found", "No such story.")
    by_id = {node.id: node for node in rendered.walk()}
    if video_id not in by_id or (not by_id[video_id].shown and video_id != root.id):
        raise NotFoundError("not_found", "No such story.")
    canonical: list[UUID] = []
    for raw in arrangement.canonical_path if arrangement else []:
        on_path = by_id.get(UUID(raw))
        if on_path is None or not on_path.shown:
            break
        on_path.canonical = True
        canonical.append(on_path.id)
    for node in by_id.values():
        node.children.sort(key=lambda c: (not c.pinned, not c.canonical, c.created_at))
    return StoryTree(root=rendered, owner_id=root_video.owner_id, canonical_path=canonical,
                     truncated=truncated, by_id=by_id,
                     all_ids={video.id: video.parent_id for video in videos})


def _prune(root: StoryNode) -> StoryNode | None:
    """Drop every subtree with nothing shown in it (iterative: depth is capped, but deep)."""
    order = list(root.walk())
    keep: set[UUID] = set()
    for node in reversed(order):  # children before parents
        node.children = [child for child in node.children if child.id in keep]
        if node.shown or node.children:
            keep.add(node.id)
    return root if root.id in keep else None


def choices_taken(*, node_id: UUID) -> dict[UUID, int]:
    """How many viewers took each choice after this node (one query)."""
    rows = (StoryChoice.objects.filter(node_id=node_id).values("choice_id")
            .annotate(taken=Count("id")).values_list("choice_id", "taken"))
    return dict(rows)
