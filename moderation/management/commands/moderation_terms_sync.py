"""Loads the shipped term files into the Term table: `manage.py moderation_terms_sync`."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from moderation.models import PolicyRevision, Term
from moderation.policy.terms import DEFAULT_TERMS_PATH, TermFileError
from moderation.term_files import term_files_sync


class Command(BaseCommand):
    help = ("Creates the shipped terms (moderation/policy/terms/<lang>.tsv) missing from the "
            "database. Console-added terms are never touched.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--path", type=Path, default=DEFAULT_TERMS_PATH,
                            help="folder of <lang>.tsv files (default: the shipped ones)")
        parser.add_argument("--update", action="store_true",
                            help="also rewrite shipped rows from the files, undoing console "
                                 "edits to them")
        parser.add_argument("--prune", action="store_true",
                            help="deactivate shipped rows whose term left the files")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["path"]
        if not path.is_dir():
            raise CommandError(f"{path} is not a folder of term files")
        try:
            with transaction.atomic():
                result = term_files_sync(term_model=Term, revision_model=PolicyRevision,
                                         path=path, update=options["update"],
                                         prune=options["prune"])
        except TermFileError as exc:
            raise CommandError(f"nothing loaded: {exc}") from exc
        self.stdout.write(f"created {result.created}, updated {result.updated}, "
                          f"deactivated {result.deactivated}, unchanged {result.unchanged}")
