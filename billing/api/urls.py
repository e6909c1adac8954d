from django.urls import path

from . import views

urlpatterns = [
    path("credits", views.BalanceView.as_view(), name="credits-balance"),
    path("credits/ledger", views.LedgerView.as_view(), name="credits-ledger"),
    path("credits/pricing", views.PricingView.as_view(), name="credits-pricing"),
    path("credits/quote", views.QuoteView.as_view(), name="credits-quote"),
    path("credits/packs", views.PackListView.as_view(), name="credits-packs"),
    path("credits/checkout", views.CheckoutView.as_view(), name="credits-checkout"),
    path("credits/adjustments", views.AdjustmentView.as_view(), name="credits-adjustments"),
    path("billing/stripe/webhook", views.StripeWebhookView.as_view(), name="stripe-webhook"),
]
