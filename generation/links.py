"""The app API's links to a video's files: the one place the route is spelled outside
generation.api.urls (generation's serializers and moderation view, the feed's posts)."""

from uuid import UUID


def content_links(video_id: UUID | str) -> dict[str, str]:
    base = f"/api/v1/videos/{video_id}/content"
    return {"video": f"{base}?variant=video", "thumbnail": f"{base}?variant=thumbnail"}
