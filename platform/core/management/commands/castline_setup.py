"""First-run setup for a local system: folders and development signing credentials."""

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from core.setup_hooks import run_setup_hooks


class Command(BaseCommand):
    help = "Prepare the data directory (idempotent): folders and development credentials."

    def handle(self, *args: Any, **options: Any) -> None:
        for line in run_setup_hooks():
            self.stdout.write(line)
        self.stdout.write(f"data directory ready: {settings.DATA_DIR}")
