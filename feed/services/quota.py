"""The teen daily cap on feed items (FEED_TEEN_DAILY_CAP)."""

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from accounts.facade import User
from core.errors import DomainError

from ..models import FeedQuota


def feed_quota_take(*, user: User, wanted: int) -> int:
    """How many items this page may hold; reserves them. Adults: all, without a query."""
    if not user.is_teen:
        return wanted
    with transaction.atomic():
        quota, _ = FeedQuota.objects.select_for_update().get_or_create(
            user=user, day=timezone.now().date())
        granted = min(wanted, settings.FEED_TEEN_DAILY_CAP - quota.served)
        if granted <= 0:
            raise DomainError("feed.teen_daily_cap",
                              "That's all the videos for today. Come back tomorrow!",
                              status_code=429)
        FeedQuota.objects.filter(pk=quota.pk).update(served=F("served") + granted)
    return granted


def feed_quota_refund(*, user: User, unused: int) -> None:
    """Give back what a short page did not use (teens only)."""
    if user.is_teen and unused > 0:
        FeedQuota.objects.filter(user=user, day=timezone.now().date()).update(
            served=F("served") - unused)
