"""Apply any Stripe events the webhook missed: `manage.py reconcile_stripe --since ISO8601`."""

from argparse import ArgumentParser
from collections import Counter
from datetime import UTC, datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from billing import stripe_gateway, webhooks
from core.errors import DomainError


class Command(BaseCommand):
    help = "List Stripe events since a time and apply the ones not applied yet (idempotent)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--since", required=True,
                            help="ISO 8601 time, e.g. 2025-01-31T00:00:00Z (UTC if no zone).")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            since = datetime.fromisoformat(options["since"].replace("Z", "+00:00"))
        except ValueError as exc:
            raise CommandError(f"--since is not an ISO 8601 time: {options['since']}") from exc
        if since.tzinfo is None:
            since = since.replace(tzinfo=UTC)
        counts: Counter[str] = Counter()
        try:
            for event in stripe_gateway.events_since(
                    since, types=webhooks.HANDLED_EVENT_TYPES):
                record, worked = webhooks.stripe_event_process(event=event)
                counts["seen"] += 1
                counts[record.status if worked else "already_applied"] += 1
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(" ".join(f"{key}={value}" for key, value in sorted(counts.items())))
