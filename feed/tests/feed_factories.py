"""Feed test data: completed videos made directly (no generation run) and published posts."""

from typing import Any

from feed.models import Post
from feed.services import post_publish
from feed.services.publishing import PostSettings
from generation.models import Video


def video_make(owner: Any, **fields: Any) -> Video:
    fields.setdefault("status", Video.Status.COMPLETED)
    return Video.objects.create(owner=owner, prompt=fields.pop("prompt", "a fox in snow"),
                                seconds=4, aspect_ratio="9:16", resolution="480p", width=480,
                                height=854, seed=1, model_name="tiny", cost=10, **fields)


def post_make(owner: Any, *, video: Video | None = None, **settings: Any) -> Post:
    video = video or video_make(owner)
    post, _ = post_publish(user=owner, video_id=video.pk, settings=PostSettings(**settings))
    return post


def handles(response: Any) -> list[str]:
    return [p["author"]["handle"] for p in response.json()["results"]]


def video_ids(response: Any) -> list[str]:
    return [p["video_id"] for p in response.json()["results"]]
