"""Credit reads: packs from settings, balances and the ledger."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.db.models import QuerySet

from .models import LedgerEntry


@dataclass(frozen=True)
class CreditPack:
    id: str
    credits: int
    price_cents: int
    currency: str


def pack_list() -> list[CreditPack]:
    packs: list[dict[str, Any]] = settings.CREDIT_PACKS
    return [CreditPack(id=str(p["id"]), credits=int(p["credits"]),
                       price_cents=int(p["price_cents"]), currency=str(p["currency"]).lower())
            for p in packs]


def pack_get(pack_id: str) -> CreditPack | None:
    return next((pack for pack in pack_list() if pack.id == pack_id), None)


def grant_day(now: datetime) -> date:
    """The free-allowance day `now` falls in: days start at the configured UTC reset hour."""
    return (now.astimezone(UTC) - timedelta(hours=settings.CREDITS_FREE_RESET_HOUR_UTC)).date()


def free_resets_at(now: datetime) -> datetime:
    """When the free allowance is next topped up."""
    start = datetime.combine(grant_day(now), time(settings.CREDITS_FREE_RESET_HOUR_UTC),
                             tzinfo=UTC)
    return start + timedelta(days=1)


def ledger_list(*, user_id: int) -> QuerySet[LedgerEntry]:
    return LedgerEntry.objects.filter(account__user_id=user_id).select_related("actor")
