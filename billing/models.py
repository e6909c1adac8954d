"""Credits: an append-only ledger per account, reservations for jobs, Stripe purchases.

Invariant: for every account, the sums of the ledger's bucket deltas equal the account's
cached buckets (free, paid, held, debt), and no bucket is ever negative.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from core.models import Created, Timestamped, Updated


class Account(models.Model):
    """Cached totals of one user's ledger; the row every balance change locks first."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                related_name="credit_account")
    free = models.BigIntegerField(default=0)  # today's free allowance left; spent first
    paid = models.BigIntegerField(default=0)  # bought or granted by staff
    held = models.BigIntegerField(default=0)  # reserved by running jobs
    debt = models.BigIntegerField(default=0)  # clawed back but already spent; blocks new jobs
    # The grant day (UTC, shifted by the reset hour) the free bucket was last topped up for.
    free_day = models.DateField(null=True, blank=True)
    paid_expires_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(free__gte=0) & Q(paid__gte=0) & Q(held__gte=0)
                                   & Q(debt__gte=0), name="billing_account_non_negative"),
        ]

    def __str__(self) -> str:
        return f"credits of user {self.user_id}"

    @property
    def total(self) -> int:
        return self.free + self.paid


class LedgerKind(models.TextChoices):
    DAILY_GRANT = "daily_grant", "Daily grant"
    PURCHASE = "purchase"
    RESERVE = "reserve"
    CAPTURE = "capture"
    RELEASE = "release"
    REFUND = "refund"
    DISPUTE = "dispute"
    ADJUSTMENT = "adjustment"
    EXPIRY = "expiry"


class LedgerEntry(Created):
    """One balance change; rows are only ever inserted (the admin is read-only)."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="entries")
    kind = models.CharField(max_length=20, choices=LedgerKind.choices)
    amount = models.BigIntegerField()  # credits this entry is about (magnitude)
    free_delta = models.BigIntegerField(default=0)
    paid_delta = models.BigIntegerField(default=0)
    held_delta = models.BigIntegerField(default=0)
    debt_delta = models.BigIntegerField(default=0)
    free_after = models.BigIntegerField()
    paid_after = models.BigIntegerField()
    debt_after = models.BigIntegerField()
    reason = models.CharField(max_length=200)
    reference = models.CharField(max_length=200, blank=True)  # job reference or Stripe object
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                              blank=True, related_name="+")

    class Meta:
        indexes = [models.Index(fields=["account", "id"]),
                   models.Index(fields=["reference"])]
        constraints = [models.CheckConstraint(condition=Q(amount__gte=0),
                                              name="billing_ledger_amount_non_negative")]

    def __str__(self) -> str:
        return f"{self.kind} {self.amount} ({self.reason})"


class ReservationState(models.TextChoices):
    HELD = "held"  # set aside for a running job
    CAPTURED = "captured"  # the job succeeded: spent
    RELEASED = "released"  # failed, cancelled, blocked or revoked: returned
    REFUNDED = "refunded"  # captured, then given back (consent revoked later)


# The only moves `reservation_transition` makes; anything else raises.
RESERVATION_TRANSITIONS: dict[str, frozenset[str]] = {
    ReservationState.HELD: frozenset({ReservationState.CAPTURED, ReservationState.RELEASED}),
    ReservationState.CAPTURED: frozenset({ReservationState.REFUNDED}),
    ReservationState.RELEASED: frozenset(),
    ReservationState.REFUNDED: frozenset(),
}


class Reservation(Timestamped):
    """Credits held for one job, keyed by the caller's reference so retries are no-ops."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="reservations")
    reference = models.CharField(max_length=200, unique=True)
    amount = models.BigIntegerField()
    # Where the credits came from, so a release returns each part to its bucket.
    free_part = models.BigIntegerField()
    paid_part = models.BigIntegerField()
    state = models.CharField(max_length=20, choices=ReservationState.choices,
                             default=ReservationState.HELD)
    reason = models.CharField(max_length=200)
    close_reason = models.CharField(max_length=200, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gt=0) & Q(free_part__gte=0) & Q(paid_part__gte=0)
                & Q(amount=F("free_part") + F("paid_part")), name="billing_reservation_parts"),
        ]
        indexes = [models.Index(fields=["account", "state"])]

    def __str__(self) -> str:
        return f"{self.reference}: {self.amount} {self.state}"


class PurchaseState(models.TextChoices):
    PENDING = "pending"  # seen at Stripe (unpaid session, early refund) not granted
    PAID = "paid"  # credits granted
    REJECTED = "rejected"  # amount, currency, pack or user didn't match: no credits


PURCHASE_TRANSITIONS: dict[str, frozenset[str]] = {
    PurchaseState.PENDING: frozenset({PurchaseState.PAID, PurchaseState.REJECTED}),
    PurchaseState.PAID: frozenset(),
    PurchaseState.REJECTED: frozenset(),
}


class Purchase(Timestamped):
    """One Stripe payment, keyed by its PaymentIntent: every webhook about it finds this row,
    whatever order they arrive in. Refunds and disputes are facts stored here; the credits
    clawed back are brought to match them by one settle step."""

    # PaymentIntent id, or "cs:<session id>" for a session without one.
    payment_key = models.CharField(max_length=255, unique=True)
    checkout_session = models.CharField(max_length=255, unique=True, null=True, blank=True)
    account = models.ForeignKey(Account, on_delete=models.PROTECT, null=True, blank=True,
                                related_name="purchases")
    pack_id = models.CharField(max_length=64, blank=True)
    credits = models.BigIntegerField(default=0)
    amount_cents = models.BigIntegerField(default=0)
    currency = models.CharField(max_length=8, blank=True)
    refunded_cents = models.BigIntegerField(default=0)  # Stripe's cumulative amount_refunded
    clawed_credits = models.BigIntegerField(default=0)  # taken back so far for refunds/disputes
    state = models.CharField(max_length=20, choices=PurchaseState.choices,
                             default=PurchaseState.PENDING)
    note = models.CharField(max_length=300, blank=True)

    def __str__(self) -> str:
        return f"{self.payment_key}: {self.pack_id} {self.state}"


class DisputeStatus(models.TextChoices):
    OPEN = "open"  # credits clawed back while Stripe decides
    WON = "won"  # reversed: credits given back
    LOST = "lost"


DISPUTE_TRANSITIONS: dict[str, frozenset[str]] = {
    DisputeStatus.OPEN: frozenset({DisputeStatus.WON, DisputeStatus.LOST}),
    DisputeStatus.WON: frozenset(),
    DisputeStatus.LOST: frozenset(),
}


class Dispute(Updated):
    id = models.CharField(max_length=255, primary_key=True)  # Stripe's dispute id
    purchase = models.ForeignKey(Purchase, on_delete=models.CASCADE, related_name="disputes")
    amount_cents = models.BigIntegerField()
    status = models.CharField(max_length=10, choices=DisputeStatus.choices,
                              default=DisputeStatus.OPEN)

    def __str__(self) -> str:
        return f"{self.id}: {self.status}"


class StripeEventStatus(models.TextChoices):
    RECEIVED = "received"
    PROCESSED = "processed"
    IGNORED = "ignored"  # a type we don't act on, or nothing to act on
    FAILED = "failed"  # an unexpected error: Stripe (or reconcile) retries it


class StripeEvent(models.Model):
    """Every Stripe event once, by its id: duplicates and retries find it here."""

    id = models.CharField(max_length=255, primary_key=True)
    type = models.CharField(max_length=100)
    payload = models.JSONField()
    status = models.CharField(max_length=20, choices=StripeEventStatus.choices,
                              default=StripeEventStatus.RECEIVED)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    received_at = models.DateTimeField(auto_now_add=True)
    processed_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.id} {self.type} {self.status}"
