"""Story writes: the root author's arrangement (canonical path, pins, hides), a branch's choice
label, and the choices viewers take in interactive playback."""

from itertools import pairwise
from uuid import UUID

from django.db import transaction

from accounts.facade import User
from core.errors import DomainError, ForbiddenError, NotFoundError
from moderation import facade as moderation

from ..models import Post, Story, StoryChoice
from ..selectors.stories import StoryTree, story_tree


def _own_story(user: User, video_id: UUID) -> tuple[StoryTree, Story]:
    """The story as its root author sees it, and its arrangement row locked (created on first
    use). Anyone else: 403 (after the 404 a story they cannot see answers)."""
    tree = story_tree(viewer=user, video_id=video_id)
    if tree.owner_id != user.pk:
        raise ForbiddenError("stories.not_story_owner",
                             "Only the story's root author can arrange it.")
    Story.objects.get_or_create(root_video_id=tree.root.id)
    return tree, Story.objects.select_for_update().get(root_video_id=tree.root.id)


@transaction.atomic
def canonical_path_set(*, user: User, video_id: UUID, path: list[UUID]) -> StoryTree:
    """A path of shown nodes from the root down, each the child of the one before; [] clears."""
    tree, story = _own_story(user, video_id)
    if path:
        nodes = [tree.by_id.get(node_id) for node_id in path]
        valid = (len(set(path)) == len(path) and path[0] == tree.root.id
                 and all(node is not None and node.shown for node in nodes)
                 and all(tree.all_ids.get(child) == parent
                         for parent, child in pairwise(path)))
        if not valid:
            raise DomainError("stories.invalid_path", "The canonical path must run from the "
                              "story's root down through its branches, one child at a time.",
                              fields={"path": ["Not a path in this story's tree."]})
    story.canonical_path = [str(node_id) for node_id in path]
    story.save(update_fields=["canonical_path", "updated_at"])
    return story_tree(viewer=user, video_id=video_id)


@transaction.atomic
def branch_arrange(*, user: User, video_id: UUID, branch_id: UUID, pinned: bool | None,
                   hidden: bool | None) -> StoryTree:
    """Pin (first among its siblings) or hide (with its subtree, from everyone but its own
    author and the root author) one branch of the root author's story."""
    tree, story = _own_story(user, video_id)
    if branch_id not in tree.all_ids:
        raise NotFoundError("stories.branch_not_found", "No such branch in this story.")
    if branch_id == tree.root.id:
        raise DomainError("stories.not_a_branch", "The root is not a branch: it cannot be "
                          "pinned or hidden.")
    for value, column in ((pinned, "pinned"), (hidden, "hidden")):
        if value is None:
            continue
        marks = [mark for mark in getattr(story, column) if mark != str(branch_id)]
        setattr(story, column, [*marks, str(branch_id)] if value else marks)
    story.save(update_fields=["pinned", "hidden", "updated_at"])
    return story_tree(viewer=user, video_id=video_id)


@transaction.atomic
def choice_label_set(*, user: User, video_id: UUID, label: str) -> Post:
    """The post's author writes their branch's "what happens next" (moderated like captions)."""
    post = Post.objects.select_for_update().filter(video_id=video_id, author=user).first()
    if post is None:
        raise NotFoundError("feed.not_published", "This video is not published.")
    moderation.prompt_check(text=label, teen=user.is_teen).raise_if_blocked()
    post.choice_label = label
    post.save(update_fields=["choice_label"])
    return post


def choice_record(*, user: User, video_id: UUID, node_id: UUID, choice_id: UUID
                  ) -> tuple[StoryChoice, bool]:
    """The viewer took `choice_id` after watching `node_id`: counted once per viewer and node
    (the unique constraint decides between concurrent requests); True when this one counted."""
    tree = story_tree(viewer=user, video_id=video_id)
    node = tree.by_id.get(node_id)
    if node is None:
        raise NotFoundError("stories.node_not_found", "No such node in this story.")
    if choice_id not in {child.id for child in node.shown_children()}:
        raise DomainError("stories.invalid_choice", "That is not one of this clip's choices.",
                          fields={"choice": ["Not a branch directly below this node."]})
    with transaction.atomic():
        return StoryChoice.objects.get_or_create(user=user, node_id=node_id,
                                                 defaults={"choice_id": choice_id})
