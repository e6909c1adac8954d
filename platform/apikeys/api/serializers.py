from rest_framework import serializers

from apikeys.models import ApiKey


class ApiKeyCreateIn(serializers.Serializer[None]):
    name = serializers.CharField(max_length=100, trim_whitespace=True)
    read_only = serializers.BooleanField(  # type: ignore[assignment]
        required=False, default=False)


class ApiKeyRenameIn(serializers.Serializer[None]):
    name = serializers.CharField(max_length=100, trim_whitespace=True)


class ApiKeyOut(serializers.ModelSerializer[ApiKey]):
    class Meta:
        model = ApiKey
        fields = ["id", "name", "prefix", "read_only", "created_at", "last_used_at"]


class ApiKeyCreatedOut(ApiKeyOut):
    key = serializers.CharField(help_text="The secret; shown this once, never again.")

    class Meta(ApiKeyOut.Meta):
        fields = [*ApiKeyOut.Meta.fields, "key"]
