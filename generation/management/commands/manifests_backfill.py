"""`manage.py manifests_backfill`: put the manifests of videos signed before the manifest
repository existed into it, from the stores embedded in their stored files. Safe to rerun."""

from typing import Any

from django.core.management.base import BaseCommand

from generation.manifests import manifest_backfill


class Command(BaseCommand):
    help = "Copy the C2PA manifest store of every stored video into the manifest repository."

    def handle(self, *args: Any, **options: Any) -> None:
        added, missing = manifest_backfill()
        self.stdout.write(f"{added} manifests added; {missing} videos without an embedded one")
