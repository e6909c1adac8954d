"""A periodic task does its work once per period, however many beats send it.

Two schedulers (a second `celery beat`, an orphaned embedded one) would double every periodic
task; each run first claims its period in the database, so the extra runs return at once.
"""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from .models import PeriodicRun


def periodic_claim(*, name: str, every_s: float) -> bool:
    """True for the first run in this period of `name`; False for any other."""
    PeriodicRun.objects.get_or_create(name=name)
    with transaction.atomic():
        run = PeriodicRun.objects.select_for_update(skip_locked=True).filter(name=name).first()
        if run is None:
            return False  # another run is claiming it right now
        now = timezone.now()
        # Half a period: a beat sending slightly early still gets its run.
        if run.last_run_at and run.last_run_at > now - timedelta(seconds=every_s / 2):
            return False
        run.last_run_at = now
        run.save(update_fields=["last_run_at"])
        return True
