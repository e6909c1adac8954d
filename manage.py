#!/usr/bin/env python
"""Django's command-line utility for Castline."""

import os
import sys
from pathlib import Path

# platform/ is a plain folder on the import path, never a package: importing `platform` must
# keep giving the standard library module that Celery, Stripe and requests rely on.
sys.path.insert(0, str(Path(__file__).resolve().parent / "platform"))


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
