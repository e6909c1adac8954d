"""Periodic plumbing tasks; they run on the `maintenance` queue, apart from the jobs."""

from celery import shared_task
from django.conf import settings

from .outbox import outbox_relay
from .periodic import periodic_claim


@shared_task(name="core.tasks.relay_outbox")
def relay_outbox() -> int:
    if not periodic_claim(name="relay_outbox", every_s=settings.OUTBOX_RELAY_INTERVAL_S):
        return 0
    return outbox_relay(older_than_s=settings.OUTBOX_RELAY_AFTER_S)
