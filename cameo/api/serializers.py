"""Explicit input and output shapes of the cameo API."""

from typing import Any

from rest_framework import serializers

from cameo.models import Approval, Cameo, CameoChallenge, ConsentLogEntry, Grant, Receipt
from core.fields import StrictCharField


class ChallengeOut(serializers.ModelSerializer[CameoChallenge]):
    class Meta:
        model = CameoChallenge
        fields = ["id", "phrase", "moves", "expires_at"]


class EnrollIn(serializers.Serializer[Any]):
    video = serializers.FileField()
    challenge = serializers.UUIDField()


class CameoOut(serializers.Serializer[Any]):
    """The cameo's status and the latest attempt's reasons; never the likeness data."""

    id = serializers.UUIDField()
    status = serializers.CharField()
    reasons = serializers.SerializerMethodField()
    enrollment = serializers.SerializerMethodField()
    verified_at = serializers.DateTimeField()

    def _latest(self, cameo: Cameo) -> Any:
        return cameo.enrollments.order_by("-created_at").first()

    def get_reasons(self, cameo: Cameo) -> list[str]:
        latest = self._latest(cameo)
        return list(latest.reasons) if latest else []

    def get_enrollment(self, cameo: Cameo) -> dict[str, Any] | None:
        latest = self._latest(cameo)
        if latest is None:
            return None
        return {"id": str(latest.pk), "status": latest.status, "reasons": latest.reasons,
                "created_at": latest.created_at, "finished_at": latest.finished_at}


class SettingsIn(serializers.Serializer[Any]):
    audience = serializers.ChoiceField(Cameo.Audience.choices, required=False)
    ask_every_time = serializers.BooleanField(required=False)
    rules = serializers.ListField(child=StrictCharField(max_length=200, allow_blank=True),
                                  max_length=20, required=False)
    preferences = StrictCharField(max_length=300, allow_blank=True, required=False)
    takedown_on_revoke = serializers.ChoiceField(Cameo.Takedown.choices, required=False)


class SettingsOut(serializers.ModelSerializer[Cameo]):
    class Meta:
        model = Cameo
        fields = ["audience", "ask_every_time", "rules", "preferences", "takedown_on_revoke",
                  "policy_version"]


class GrantIn(serializers.Serializer[Any]):
    expires_at = serializers.DateTimeField(required=False, allow_null=True)


class GrantOut(serializers.ModelSerializer[Grant]):
    handle = serializers.CharField(source="grantee.handle")

    class Meta:
        model = Grant
        fields = ["handle", "kind", "expires_at", "created_at"]


class AppearanceOut(serializers.ModelSerializer[Receipt]):
    video_id = serializers.UUIDField()
    requester = serializers.CharField(source="requester.handle")
    status = serializers.CharField(source="video.status")
    prompt = serializers.CharField(source="video.prompt")
    receipt_sha256 = serializers.CharField(source="sha256")

    class Meta:
        model = Receipt
        fields = ["id", "video_id", "requester", "status", "prompt", "created_at",
                  "receipt_sha256", "revoked_at", "revoke_reason"]


class ApprovalOut(serializers.ModelSerializer[Approval]):
    video_id = serializers.UUIDField(source="receipt.video_id")
    requester = serializers.CharField(source="receipt.requester.handle")
    prompt = serializers.CharField(source="receipt.video.prompt")

    class Meta:
        model = Approval
        fields = ["id", "status", "video_id", "requester", "prompt", "expires_at",
                  "decided_at", "created_at"]


class DecisionIn(serializers.Serializer[Any]):
    decision = serializers.ChoiceField(["approve", "deny"])


class LogEntryOut(serializers.ModelSerializer[ConsentLogEntry]):
    class Meta:
        model = ConsentLogEntry
        fields = ["seq", "kind", "actor_id", "data", "at", "prev_hash", "sha256"]


class ChainOut(serializers.Serializer[Any]):
    valid = serializers.BooleanField()
    entries = serializers.IntegerField()
    broken_at = serializers.IntegerField(allow_null=True)
    problem = serializers.CharField()
