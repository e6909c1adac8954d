"""Rules registered with generation.facade: who may view, remix or continue someone else's
video.

A video is viewable by others only through its post (visibility, blocks, moderation), and
remixable (or continued, a story relay) only when the post also allows remixes (extensions)
and is not private.
"""

from generation.facade import VideoAccess

from .models import Post
from .selectors.visibility import post_may_see


def _post(video: VideoAccess) -> Post | None:
    return Post.objects.filter(video_id=video.id, author__is_active=True).first()


def video_view_rule(user_id: int, video: VideoAccess) -> bool:
    post = _post(video)
    return post is not None and post_may_see(viewer_id=user_id, post=post, video=video)


def video_remix_rule(user_id: int, video: VideoAccess) -> bool:
    post = _post(video)
    return (post is not None and post.allow_remix
            and post.visibility != Post.Visibility.PRIVATE
            and post_may_see(viewer_id=user_id, post=post, video=video))


def video_extend_rule(user_id: int, video: VideoAccess) -> bool:
    post = _post(video)
    return (post is not None and post.allow_extend
            and post.visibility != Post.Visibility.PRIVATE
            and post_may_see(viewer_id=user_id, post=post, video=video))
