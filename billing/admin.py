"""Read-only admin: the ledger is append-only; corrections go through adjustments."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from .models import Account, LedgerEntry, Purchase, Reservation, StripeEvent


class ReadOnlyAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Account)
class AccountAdmin(ReadOnlyAdmin):
    list_display = ["user", "free", "paid", "held", "debt", "updated_at"]
    search_fields = ["user__handle", "user__email"]


@admin.register(LedgerEntry)
class LedgerEntryAdmin(ReadOnlyAdmin):
    list_display = ["id", "account", "kind", "amount", "free_delta", "paid_delta", "debt_delta",
                    "reason", "reference", "actor", "created_at"]
    list_filter = ["kind"]
    search_fields = ["reference", "account__user__handle"]


@admin.register(Reservation)
class ReservationAdmin(ReadOnlyAdmin):
    list_display = ["reference", "account", "amount", "state", "close_reason", "created_at"]
    list_filter = ["state"]
    search_fields = ["reference"]


@admin.register(Purchase)
class PurchaseAdmin(ReadOnlyAdmin):
    list_display = ["payment_key", "account", "pack_id", "credits", "amount_cents", "state",
                    "refunded_cents", "clawed_credits", "note"]
    list_filter = ["state"]


@admin.register(StripeEvent)
class StripeEventAdmin(ReadOnlyAdmin):
    list_display = ["id", "type", "status", "attempts", "received_at", "processed_at"]
    list_filter = ["status", "type"]
    search_fields = ["id"]
