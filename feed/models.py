"""Social objects around a published video: posts, likes, comments, views, shares, preferences.

Counters on `Post` are denormalised for the feeds; every write that changes one updates it in the
same transaction with an F() expression (or a recount under the post's row lock).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from core.models import Updated, unique
from generation.models import Video


class Post(models.Model):
    """A completed video its owner published; unpublishing deletes the post (and its likes)."""

    class Visibility(models.TextChoices):
        PUBLIC = "public"  # anyone not blocked: feeds, hashtags, profile, remix counts
        FOLLOWERS = "followers"  # only people who follow the creator; never counted publicly
        PRIVATE = "private"  # only the creator; in no one else's feed, list or count

    # Ids grow with publish time: chronological lists page by an (id) keyset.
    id = models.BigAutoField(primary_key=True)
    video = models.OneToOneField(Video, on_delete=models.CASCADE, related_name="post")
    # Indexed by feed_post_author_recent / feed_post_remixes below.
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                               related_name="posts", db_index=False)
    caption = models.CharField(max_length=500, blank=True)
    # A branch's "what happens next" in its story (the choice a viewer picks); moderated.
    choice_label = models.CharField(max_length=80, blank=True)
    hashtags = models.JSONField(default=list)  # normalised; PostHashtag indexes them
    allow_remix = models.BooleanField(default=True)
    allow_extend = models.BooleanField(default=True)  # others may continue it (a story relay)
    allow_comments = models.BooleanField(default=True)
    visibility = models.CharField(max_length=10, choices=Visibility.choices,
                                  default=Visibility.PUBLIC)
    # Copied from the video at publish time (immutable there) so remix lists need no join.
    parent_video = models.ForeignKey(Video, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+", db_index=False)
    root_video = models.ForeignKey(Video, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    remix_depth = models.PositiveIntegerField(default=0)
    # Their creators (a video's owner never changes): the credit costs two joins, not four.
    parent_author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                      on_delete=models.SET_NULL, related_name="+",
                                      db_index=False)
    root_author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+", db_index=False)
    # A relay's chain of authors (user ids, oldest first), copied from the video at publish
    # time like the credits above; empty when the author made the whole file alone.
    story_author_ids = models.JSONField(default=list, blank=True)
    # Handles of everyone who wrote the storyboard it was made from (the video's C2PA credit).
    collaborators = models.JSONField(default=list, blank=True)

    like_count = models.PositiveIntegerField(default=0)
    comment_count = models.PositiveIntegerField(default=0)
    view_count = models.PositiveIntegerField(default=0)
    remix_count = models.PositiveIntegerField(default=0)  # public published remixes only
    share_count = models.PositiveIntegerField(default=0)
    # hot_score = hot_base + ln(1 + engagement points); hot_base = publish time / decay constant,
    # so ordering by hot_score equals ordering by points * exp(-age / decay): an indexable
    # "engagement velocity" that never needs a periodic recompute.
    hot_base = models.FloatField(default=0)
    hot_score = models.FloatField(default=0)
    published_at = models.DateTimeField(default=timezone.now)
    # The video's in_feeds_q, copied (publishing needs it true; video_shown_changed keeps it) so
    # for-you candidates skip the video join. Pages still check the video itself.
    in_feeds = models.BooleanField(default=True)

    class Meta:
        indexes = [
            # visibility included: the following list scans this index only (Postgres).
            models.Index(fields=["author", "-id"], name="feed_post_author_recent",
                         include=["visibility"]),
            models.Index(fields=["parent_video", "-id"], name="feed_post_remixes"),
            models.Index(fields=["-hot_score", "-id"], name="feed_post_trending",
                         condition=Q(visibility="public")),
            models.Index(fields=["-id"], name="feed_post_public_recent",
                         condition=Q(visibility="public")),
            # A story's public branch count (story_branches), from the index alone.
            models.Index(fields=["root_video"], name="feed_post_story_public",
                         condition=Q(visibility="public", in_feeds=True)),
        ]

    def __str__(self) -> str:
        return f"post {self.pk} of video {self.video_id}"


class PostHashtag(models.Model):
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="tag_rows")
    tag = models.CharField(max_length=50)

    class Meta:
        constraints = [unique("tag", "post", name="feed_tag_unique")]

    def __str__(self) -> str:
        return f"#{self.tag} on post {self.post_id}"


class PostCast(models.Model):
    """A handle cast in the post's video (from video.cast_handles), for profile appearances."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="cast_rows")
    handle = models.CharField(max_length=31)

    class Meta:
        constraints = [unique("handle", "post", name="feed_cast_unique")]

    def __str__(self) -> str:
        return f"@{self.handle} in post {self.post_id}"


def once_per_user(*fields: str, name: str) -> models.UniqueConstraint:
    """Unique on (user, *fields). The constraint's index, led by the user, serves the
    user-first lookups, so a model declaring it gives its user column no index of its own."""
    return unique("user", *fields, name=name)


class ViewerMark(models.Model):
    """What a viewer marks once per thing (a like, a post or creator hidden, a steering term,
    a story branch taken): each subclass is unique on (user, thing) by `once_per_user`."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="+", db_index=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        abstract = True


class Like(ViewerMark):
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="likes")

    class Meta:
        constraints = [once_per_user("post", name="feed_like_unique")]
        # "My newest likes" (the for-you taste and remix source) from the index alone: through
        # the unique index Postgres read and sorted every like of the viewer.
        indexes = [models.Index(fields=["user", "-id"], name="feed_like_user_recent",
                                include=["post"])]

    def __str__(self) -> str:
        return f"user {self.user_id} likes post {self.post_id}"


class Comment(models.Model):
    """A comment or a reply to one (one level: replies to replies attach to the top comment)."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                               related_name="+")
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE,
                               related_name="replies")
    body = models.CharField(max_length=1000)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["post", "parent", "-id"], name="feed_comment_thread")]

    def __str__(self) -> str:
        return f"comment {self.pk} on post {self.post_id}"


class PostActivity(models.Model):
    """Something a viewer did to a post (viewed it, shared it), counted on the post."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="+")
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="+")

    class Meta:
        abstract = True


class View(PostActivity):
    """At most one counted view per viewer, post and UTC day."""

    day = models.DateField()

    class Meta:
        constraints = [unique("post", "user", "day", name="feed_view_unique")]

    def __str__(self) -> str:
        return f"user {self.user_id} viewed post {self.post_id} on {self.day}"


class Share(PostActivity):
    channel = models.CharField(max_length=30, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"user {self.user_id} shared post {self.post_id}"


class NotInterested(ViewerMark):
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [once_per_user("post", name="feed_not_interested_unique")]

    def __str__(self) -> str:
        return f"user {self.user_id} not interested in post {self.post_id}"


class HiddenCreator(ViewerMark):
    creator = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                related_name="+")

    class Meta:
        constraints = [once_per_user("creator", name="feed_hidden_creator_unique")]

    def __str__(self) -> str:
        return f"user {self.user_id} hides creator {self.creator_id}"


class SteeringTerm(ViewerMark):
    """"More of" / "less of" a topic: a hashtag or a caption word."""

    class Direction(models.TextChoices):
        MORE = "more"  # boost posts that mention the term
        LESS = "less"  # push them down (strongly)

    term = models.CharField(max_length=50)
    direction = models.CharField(max_length=4, choices=Direction.choices)

    class Meta:
        constraints = [once_per_user("term", name="feed_steering_unique")]

    def __str__(self) -> str:
        return f"user {self.user_id}: {self.direction} {self.term}"


class FeedQuota(models.Model):
    """Feed items served to a teen on one UTC day (FEED_TEEN_DAILY_CAP)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="+", db_index=False)
    day = models.DateField()
    served = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [once_per_user("day", name="feed_quota_unique")]

    def __str__(self) -> str:
        return f"user {self.user_id} served {self.served} on {self.day}"


class Story(Updated):
    """The root author's arrangement of a story (the tree of remixes and extensions under a
    root video): a canonical path (video ids, root first), pinned and hidden branches."""

    root_video = models.OneToOneField(Video, on_delete=models.CASCADE, primary_key=True,
                                      related_name="+")
    canonical_path = models.JSONField(default=list)  # video ids as strings, root first
    pinned = models.JSONField(default=list)  # video ids shown first among their siblings
    hidden = models.JSONField(default=list)  # video ids (with their subtrees) hidden from others

    def __str__(self) -> str:
        return f"story of video {self.root_video_id}"


class StoryChoice(ViewerMark):
    """A viewer took `choice` (a child branch) after watching `node`: once per viewer and node
    (the first choice counts; replays exploring other branches do not)."""

    node = models.ForeignKey(Video, on_delete=models.CASCADE, related_name="+")
    choice = models.ForeignKey(Video, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [once_per_user("node", name="feed_story_choice_unique")]

    def __str__(self) -> str:
        return f"user {self.user_id} took {self.choice_id} after {self.node_id}"
