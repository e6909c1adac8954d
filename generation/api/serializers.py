from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.fields import StrictCharField
from generation import relay, specs
from generation.links import content_links
from generation.models import Video


class ShotIn(serializers.Serializer[None]):
    prompt = StrictCharField(max_length=4000)  # type: ignore[assignment]
    seconds = serializers.IntegerField(min_value=1, max_value=20)


class VideoCreateIn(serializers.Serializer[None]):
    prompt = StrictCharField(max_length=4000)
    negative_prompt = StrictCharField(max_length=4000, required=False, default="",
                                            allow_blank=True)
    seconds = serializers.ChoiceField(choices=specs.ALLOWED_SECONDS, required=False)
    aspect_ratio = serializers.ChoiceField(choices=Video.AspectRatio.values, required=False)
    resolution = serializers.ChoiceField(choices=Video.Resolution.values, required=False)
    style = StrictCharField(  # type: ignore[assignment]
        max_length=40, required=False, default="", allow_blank=True)
    audio = serializers.BooleanField(required=False, default=True)
    seed = serializers.IntegerField(min_value=0, max_value=2**31 - 1, required=False)
    shots = serializers.ListField(child=ShotIn(), required=False, max_length=6)
    cameos = serializers.ListField(child=StrictCharField(max_length=31), required=False,
                                   default=list, max_length=10)
    characters = serializers.ListField(child=serializers.CharField(max_length=41),
                                       required=False, default=list, max_length=10)
    remix_of = serializers.UUIDField(required=False)


class RemixIn(serializers.Serializer[None]):
    prompt = StrictCharField(max_length=4000)


class ExtendIn(serializers.Serializer[None]):
    """The new segment: `seconds` long (default 4), or these shots; the video made is the
    stitched whole, source included (at most 60 s)."""

    prompt = StrictCharField(max_length=4000)
    seconds = serializers.ChoiceField(choices=specs.ALLOWED_SECONDS, required=False)
    shots = serializers.ListField(child=ShotIn(), required=False, max_length=6)


class VideoOut(serializers.ModelSerializer[Video]):
    error = serializers.SerializerMethodField()
    cameos = serializers.ListField(source="cast_handles", child=serializers.CharField())
    audio = serializers.BooleanField(source="with_audio")
    remix_of = serializers.UUIDField(source="remix_of_id", allow_null=True)
    content = serializers.SerializerMethodField()
    collaborators = serializers.SerializerMethodField()
    extends = serializers.SerializerMethodField(
        help_text="The video this one continues (a relay), or null.")
    authors = serializers.SerializerMethodField(
        help_text="Handles of everyone whose footage is in the file, oldest first.")

    class Meta:
        model = Video
        fields = ["id", "status", "progress", "stage", "cost", "error", "prompt",
                  "negative_prompt", "seconds", "aspect_ratio", "resolution", "width", "height",
                  "fps", "style", "audio", "seed", "shots", "cameos", "remix_of", "remix_depth",
                  "extends", "authors", "model_name", "held_for_review", "duration_s",
                  "content", "created_at", "finished_at", "collaborators"]

    @extend_schema_field(serializers.UUIDField(allow_null=True))
    def get_extends(self, video: Video) -> str | None:
        return video.provenance.get("extends")

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_authors(self, video: Video) -> list[str]:
        """From the page's batch (context "authors") when there is one."""
        batch = self.context.get("authors")
        if batch is None:
            batch = relay.authors_of(videos=[video])
        return list(batch.get(video.pk, []))

    def get_error(self, video: Video) -> dict[str, str] | None:
        if not video.error_code:
            return None
        return {"code": video.error_code, "message": video.error_message}

    def get_collaborators(self, video: Video) -> list[str]:
        """Handles of everyone who wrote the storyboard it was made from."""
        return list(video.provenance.get("collaborators", []))

    def get_content(self, video: Video) -> dict[str, Any] | None:
        if video.status != Video.Status.COMPLETED:
            return None
        return content_links(video.pk)


class PresetOut(serializers.Serializer[Any]):
    name = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]
    prompt_suffix = serializers.CharField()
    negative_prompt = serializers.CharField()
    defaults = serializers.DictField()
