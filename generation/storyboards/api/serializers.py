from typing import Any

from django.conf import settings
from rest_framework import serializers

from core.fields import StrictCharField
from generation.models import Video

from ..models import StoryboardCollaborator

MAX_DIALOGUE_LINES = 8


class DialogueLineIn(serializers.Serializer[None]):
    speaker = StrictCharField(max_length=60)
    language = StrictCharField(max_length=35, required=False, default="", allow_blank=True)
    text = StrictCharField(max_length=500)


def _text(limit: int) -> Any:
    return StrictCharField(max_length=limit, required=False, default="", allow_blank=True)


class ShotIn(serializers.Serializer[None]):
    """A shot as written; a shot's seconds are 1-20, the storyboard's total at most 20."""

    prompt = StrictCharField(max_length=settings.GENERATION_MAX_PROMPT_CHARS)
    seconds = serializers.IntegerField(min_value=1, max_value=20)
    camera = _text(300)
    dialogue = serializers.ListField(child=DialogueLineIn(), required=False, default=list,
                                     max_length=MAX_DIALOGUE_LINES)
    ambient = _text(300)
    music = _text(300)
    dialogue_on = serializers.BooleanField(required=False, default=True)
    ambient_on = serializers.BooleanField(required=False, default=True)
    music_on = serializers.BooleanField(required=False, default=True)


class ShotAddIn(ShotIn):
    position = serializers.IntegerField(min_value=0, required=False)


class ShotChangeIn(ShotIn):
    """Only what changes, and the version it was read at (or an If-Match header)."""

    version = serializers.IntegerField(min_value=1, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, partial=True, **kwargs)


class StoryboardCreateIn(serializers.Serializer[None]):
    title = StrictCharField(max_length=200, required=False, default="", allow_blank=True)
    shots = serializers.ListField(child=ShotIn(), required=False, default=list, max_length=50)


class ReorderIn(serializers.Serializer[None]):
    order = serializers.ListField(child=serializers.IntegerField(min_value=1), max_length=50)


class CollaboratorIn(serializers.Serializer[None]):
    handle = StrictCharField(max_length=31)
    role = serializers.ChoiceField(choices=StoryboardCollaborator.Role.choices,
                                   default=StoryboardCollaborator.Role.EDITOR)


class GenerateIn(serializers.Serializer[None]):
    aspect_ratio = serializers.ChoiceField(choices=Video.AspectRatio.values, required=False)
    resolution = serializers.ChoiceField(choices=Video.Resolution.values, required=False)
    style = StrictCharField(  # type: ignore[assignment]
        max_length=40, required=False, default="", allow_blank=True)
    negative_prompt = StrictCharField(max_length=4000, required=False, default="",
                                      allow_blank=True)
    audio = serializers.BooleanField(required=False, default=True)
    seed = serializers.IntegerField(min_value=0, max_value=2**31 - 1, required=False)


def dialogue_plain(data: dict[str, Any]) -> dict[str, Any]:
    """Validated input as plain JSON values (the dialogue lines as dicts)."""
    if "dialogue" in data:
        data["dialogue"] = [dict(line) for line in data["dialogue"]]
    return data
