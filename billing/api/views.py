"""Credit endpoints: each view validates input, calls one service or selector, shapes output."""

import uuid
from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.permissions import AllowAny, BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.facade import is_admin, request_user
from billing import pricing, selectors, services, stripe_gateway, webhooks
from billing.models import LedgerEntry, StripeEventStatus
from core.api import validated
from core.errors import DomainError
from core.idempotency import idempotent
from core.pagination import IdCursorPagination

from . import serializers as s


class IsBillingAdmin(BasePermission):
    def has_permission(self, request: Request, view: APIView) -> bool:
        return is_admin(request.user)


class BalanceView(APIView):
    """The balance (free and paid apart) and one page of the ledger, newest first; `next`
    gives the following page (`cursor`, `page_size` as on /credits/ledger)."""

    @extend_schema(responses=s.BalanceOut)
    def get(self, request: Request) -> Response:
        user_id = request_user(request).pk
        account = services.account_touch(user_id=user_id)
        pages = IdCursorPagination()
        entries = pages.paginate_queryset(selectors.ledger_list(user_id=user_id), request,
                                          view=self)
        return Response(s.BalanceOut({
            "free": account.free, "paid": account.paid, "held": account.held,
            "debt": account.debt, "total": account.total,
            "free_daily": settings.CREDITS_FREE_DAILY,
            "free_resets_at": selectors.free_resets_at(timezone.now()),
            "ledger": entries, "next": pages.get_next_link()}).data)


class LedgerView(generics.ListAPIView[LedgerEntry]):
    serializer_class = s.LedgerEntryOut

    def get_queryset(self) -> QuerySet[LedgerEntry]:
        return selectors.ledger_list(user_id=request_user(self.request).pk)


class PricingView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(responses={200: dict})
    def get(self, request: Request) -> Response:
        return Response(pricing.price_table())


class QuoteView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(request=s.QuoteIn, responses=s.QuoteOut)
    def post(self, request: Request) -> Response:
        quote = pricing.price_credits(**validated(s.QuoteIn, request.data))
        return Response(s.QuoteOut(quote).data)


class PackListView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(responses=s.PackListOut)
    def get(self, request: Request) -> Response:
        return Response({"results": s.PackOut(selectors.pack_list(), many=True).data})


class CheckoutView(APIView):
    @extend_schema(request=s.CheckoutIn, responses=s.CheckoutOut)
    def post(self, request: Request) -> Response:
        data = validated(s.CheckoutIn, request.data)
        pack = selectors.pack_get(data["pack"])
        if pack is None:
            raise DomainError("billing.unknown_pack", "No credit pack has this id.",
                              fields={"pack": [f"One of: {[p.id for p in selectors.pack_list()]}"]})
        # The client's Idempotency-Key (if any) makes a retried tap reuse Stripe's session.
        key = request.headers.get("Idempotency-Key") or uuid.uuid4().hex
        url = stripe_gateway.checkout_session_create(
            user_id=request_user(request).pk, pack=pack,
            idempotency_key=f"checkout:{request.user.pk}:{pack.id}:{key}"[:255])
        return Response(s.CheckoutOut({"url": url, "pack": pack}).data,
                        status=status.HTTP_201_CREATED)


class AdjustmentView(APIView):
    permission_classes = [IsBillingAdmin]

    @extend_schema(request=s.AdjustmentIn, responses={201: s.LedgerEntryOut})
    @idempotent("credits_adjust")
    def post(self, request: Request) -> Response:
        entry = services.credits_adjust(actor_id=request_user(request).pk,
                                        **validated(s.AdjustmentIn, request.data))
        return Response(s.LedgerEntryOut(entry).data, status=status.HTTP_201_CREATED)


class StripeWebhookView(APIView):
    """Stripe calls this: no auth, no CSRF, no throttling; the signature is the credential."""

    authentication_classes: list[type[Any]] = []
    permission_classes = [AllowAny]
    throttle_classes: list[type[Any]] = []

    @extend_schema(request=None, responses=s.WebhookOut)
    def post(self, request: Request) -> Response:
        event = webhooks.event_verify(payload=request.body,
                                      signature=request.headers.get("Stripe-Signature"))
        record, worked = webhooks.stripe_event_process(event=event)
        if record.status == StripeEventStatus.FAILED:
            raise DomainError("billing.webhook_failed",
                              "The event could not be applied; it will be retried.",
                              status_code=500)
        return Response({"received": True, "status": record.status, "duplicate": not worked})
