from rest_framework import serializers

from core.fields import IdField
from events.models import Notification


class NotificationOut(serializers.ModelSerializer[Notification]):
    class Meta:
        model = Notification
        fields = ["id", "type", "payload", "created_at", "read_at"]


class MarkReadIn(serializers.Serializer[None]):
    ids = serializers.ListField(child=IdField(), required=False,
                                max_length=500)
    up_to_id = IdField(required=False)

    def validate(self, attrs: dict[str, object]) -> dict[str, object]:
        if "ids" not in attrs and "up_to_id" not in attrs:
            raise serializers.ValidationError("Give `ids` or `up_to_id`.")
        return attrs


class MarkReadOut(serializers.Serializer[None]):
    marked = serializers.IntegerField()
