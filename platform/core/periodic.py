"""Periodic tasks: each app registers its own (in its AppConfig.ready), and a run does its work
once per period, however many beats send it.

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


def periodic_task_register(*, name: str, task: str, every_s: float) -> None:
    """Have the beat send the task named `task` every `every_s` seconds."""
    from config.celery import app

    app.add_periodic_task(float(every_s), app.signature(task), name=name)
