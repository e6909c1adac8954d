"""Give a moderator a TOTP device for the console and print its otpauth URL and QR code."""

import io
from typing import Any

import segno
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.facade import user_get_by_email
from moderation.console.auth import DEVICE_NAME
from moderation.roles import is_moderator


class Command(BaseCommand):
    help = "Create (or with --replace, recreate) the console TOTP device of a moderator."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("email")
        parser.add_argument("--replace", action="store_true",
                            help="Delete the user's existing TOTP devices first.")
        parser.add_argument("--no-qr", action="store_true", help="Print only the URL.")

    @transaction.atomic
    def handle(self, *args: Any, **options: Any) -> None:
        user = user_get_by_email(email=options["email"])
        if user is None:
            raise CommandError(f"No user with email {options['email']}.")
        if not is_moderator(user):
            raise CommandError(f"@{user.handle} has no moderator role (role={user.role}).")
        existing = TOTPDevice.objects.filter(user=user)
        if existing.filter(confirmed=True).exists() and not options["replace"]:
            raise CommandError(f"@{user.handle} already has a TOTP device; use --replace.")
        existing.delete()
        device = TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=True)
        self.stdout.write(device.config_url)
        if not options["no_qr"]:
            buffer = io.StringIO()
            segno.make(device.config_url).terminal(out=buffer, compact=True)
            self.stdout.write(buffer.getvalue())
