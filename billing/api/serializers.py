from typing import Any

from rest_framework import serializers

from billing.models import LedgerEntry
from billing.pricing import MAX_SHOTS, MODEL_RATES, RESOLUTION_FACTORS
from core.fields import IdField, StrictCharField


class LedgerEntryOut(serializers.ModelSerializer[LedgerEntry]):
    actor = serializers.SerializerMethodField()

    class Meta:
        model = LedgerEntry
        fields = ["id", "kind", "amount", "free_delta", "paid_delta", "held_delta",
                  "debt_delta", "free_after", "paid_after", "debt_after", "reason",
                  "reference", "actor", "created_at"]

    def get_actor(self, entry: LedgerEntry) -> str | None:
        return f"@{entry.actor.handle}" if entry.actor else None


class BalanceOut(serializers.Serializer[Any]):
    free = serializers.IntegerField()
    paid = serializers.IntegerField()
    held = serializers.IntegerField(help_text="Reserved by running jobs.")
    debt = serializers.IntegerField(help_text="Owed after a refund or dispute; blocks new jobs.")
    total = serializers.IntegerField(help_text="free + paid: what can be spent now.")
    free_daily = serializers.IntegerField()
    free_resets_at = serializers.DateTimeField()
    ledger = LedgerEntryOut(many=True, help_text="Newest first, one page.")
    next = serializers.CharField(allow_null=True, help_text="The next page of the ledger.")


class QuoteIn(serializers.Serializer[Any]):
    model = serializers.ChoiceField(choices=list(MODEL_RATES))
    seconds = serializers.DecimalField(max_digits=6, decimal_places=2)
    resolution = serializers.ChoiceField(choices=list(RESOLUTION_FACTORS))
    shots = serializers.IntegerField(min_value=1, max_value=MAX_SHOTS, default=1)


class QuoteOut(serializers.Serializer[Any]):
    credits = serializers.IntegerField()
    model = serializers.CharField()
    seconds = serializers.DecimalField(max_digits=6, decimal_places=2)
    resolution = serializers.CharField()
    shots = serializers.IntegerField()


class PackOut(serializers.Serializer[Any]):
    id = serializers.CharField()
    credits = serializers.IntegerField()
    price_cents = serializers.IntegerField()
    currency = serializers.CharField()


class PackListOut(serializers.Serializer[Any]):
    results = PackOut(many=True)


class CheckoutIn(serializers.Serializer[Any]):
    pack = StrictCharField(max_length=64)


class CheckoutOut(serializers.Serializer[Any]):
    url = serializers.URLField()
    pack = PackOut()


class AdjustmentIn(serializers.Serializer[Any]):
    user_id = IdField()
    amount = serializers.IntegerField(min_value=-10**9, max_value=10**9)
    reason = StrictCharField(max_length=200, allow_blank=True, default="")


class WebhookOut(serializers.Serializer[Any]):
    received = serializers.BooleanField()
    status = serializers.CharField()
    duplicate = serializers.BooleanField()
