"""Add a protected likeness (public figure, estate request) from a photo of one face."""

from argparse import ArgumentParser
from typing import Any

import numpy as np
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from PIL import Image, UnidentifiedImageError

from cameo import vault
from cameo.models import ProtectedLikeness
from cameo.verification import encode_image


class Command(BaseCommand):
    help = "Add a face to the protected-likeness registry: cameo_registry_add NAME IMAGE"

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("name")
        parser.add_argument("image")
        parser.add_argument("--reason", choices=ProtectedLikeness.Reason.values,
                            default=ProtectedLikeness.Reason.PUBLIC_FIGURE)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            with Image.open(options["image"]) as image:
                rgb = np.asarray(image.convert("RGB"))
        except (OSError, UnidentifiedImageError) as exc:
            raise CommandError(f"cannot read {options['image']}: {exc}") from exc
        encodings = encode_image(rgb)
        if len(encodings) != 1:
            raise CommandError(f"the photo must show exactly one face; found {len(encodings)}")
        with transaction.atomic():
            entry = ProtectedLikeness.objects.create(name=options["name"],
                                                     reason=options["reason"], encoding=b"")
            entry.encoding = vault.seal_encoding(encodings[0], bound_to=f"protected:{entry.pk}")
            entry.save(update_fields=["encoding"])
        self.stdout.write(f"added {entry.name} ({entry.reason}) as #{entry.pk}")
