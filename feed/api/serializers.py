"""Feed input and output shapes."""

from typing import Any

from rest_framework import serializers

from ..models import Comment, Post, SteeringTerm


class PublishIn(serializers.Serializer[None]):
    caption = serializers.CharField(max_length=500, required=False, default="",
                                    allow_blank=True)
    hashtags = serializers.ListField(child=serializers.CharField(max_length=51),
                                     required=False, default=list, max_length=30)
    allow_remix = serializers.BooleanField(required=False, default=True)
    allow_comments = serializers.BooleanField(required=False, default=True)
    visibility = serializers.ChoiceField(choices=Post.Visibility.values, required=False,
                                         default=Post.Visibility.PUBLIC)


class PageIn(serializers.Serializer[None]):
    cursor = serializers.CharField(required=False, max_length=200)
    page_size = serializers.IntegerField(required=False, min_value=1)


class AuthorOut(serializers.Serializer[Any]):
    handle = serializers.CharField()
    display_name = serializers.CharField()


class CountsOut(serializers.Serializer[Post]):
    likes = serializers.IntegerField(source="like_count")
    comments = serializers.IntegerField(source="comment_count")
    views = serializers.IntegerField(source="view_count")
    remixes = serializers.IntegerField(source="remix_count")
    shares = serializers.IntegerField(source="share_count")


class PostOut(serializers.Serializer[Any]):
    """A post as feeds show it; `liked` comes from the page's liked ids (context)."""

    video_id = serializers.UUIDField()
    author = AuthorOut()
    caption = serializers.CharField()
    hashtags = serializers.ListField(child=serializers.CharField())
    visibility = serializers.CharField()
    allow_remix = serializers.BooleanField()
    allow_comments = serializers.BooleanField()
    published_at = serializers.DateTimeField()
    counts = CountsOut(source="*")
    remix = serializers.SerializerMethodField()
    video = serializers.SerializerMethodField()
    liked = serializers.SerializerMethodField()

    def get_remix(self, post: Post) -> dict[str, Any] | None:
        if post.remix_depth == 0:
            return None
        parent, root = post.parent_video, post.root_video
        return {"parent_video_id": str(post.parent_video_id) if post.parent_video_id else None,
                "root_video_id": str(post.root_video_id) if post.root_video_id else None,
                "depth": post.remix_depth,
                "parent_creator": parent.owner.handle if parent else None,
                "root_creator": root.owner.handle if root else None}

    def get_video(self, post: Post) -> dict[str, Any]:
        video = post.video
        base = f"/api/v1/videos/{post.video_id}/content"
        return {"width": video.width, "height": video.height, "duration_s": video.duration_s,
                "label": video.label, "content": f"{base}?variant=video",
                "thumbnail": f"{base}?variant=thumbnail"}

    def get_liked(self, post: Post) -> bool:
        return post.pk in self.context.get("liked_ids", ())


class CommentIn(serializers.Serializer[None]):
    body = serializers.CharField(max_length=1000)
    parent_id = serializers.IntegerField(required=False, allow_null=True, default=None)


class CommentListIn(serializers.Serializer[None]):
    parent_id = serializers.IntegerField(required=False)


class CommentOut(serializers.ModelSerializer[Comment]):
    author = AuthorOut()

    class Meta:
        model = Comment
        fields = ["id", "parent_id", "author", "body", "created_at"]


class ShareIn(serializers.Serializer[None]):
    channel = serializers.CharField(max_length=30, required=False, default="",
                                    allow_blank=True)


class ViewOut(serializers.Serializer[None]):
    counted = serializers.BooleanField()


class SteeringIn(serializers.Serializer[None]):
    term = serializers.CharField(max_length=51)
    direction = serializers.ChoiceField(choices=SteeringTerm.Direction.values)


class SteeringOut(serializers.ModelSerializer[SteeringTerm]):
    class Meta:
        model = SteeringTerm
        fields = ["term", "direction", "created_at"]
