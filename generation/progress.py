"""Progress of a running job: throttled writes + events, and the stop signals it carries.

Every call is a chance to stop: a cancel request, a lost claim (another delivery took over)
or a revoked consent raise here, so the backend stops at its next step.
"""

import time
from uuid import UUID

from django.db import transaction
from django.utils import timezone

from generation.backends.base import GenerationCancelled

from . import events
from .models import Video

PUBLISH_INTERVAL_S = 1.0
CHECK_INTERVAL_S = 0.5


class ClaimLost(Exception):  # noqa: N818 - a signal, not a bug
    """Another delivery of the same job owns it now; this one must stop quietly."""


class ProgressReporter:
    def __init__(self, *, video_id: UUID, run_token: str, shots: int,
                 unit: str = "shot") -> None:
        self.video_id = video_id
        self.run_token = run_token
        self.shots = shots  # shots, or a long job's segments (unit "segment")
        self.unit = unit
        self.shot = 0
        self._last_publish = 0.0
        self._last_check = 0.0

    def start_shot(self, index: int) -> None:
        """A long job announces every segment it starts (an event each, past the 1 s pace:
        a segment takes far longer), and a cancel asked for meanwhile stops it here."""
        self.shot = index
        if self.unit == "segment":
            self.report(index / self.shots * 0.9, f"segment {index + 1}/{self.shots}",
                        force=True, announce=True)

    def __call__(self, fraction: float, stage: str) -> None:
        overall = (self.shot + min(max(fraction, 0.0), 1.0)) / self.shots * 0.9
        label = f"{self.unit} {self.shot + 1}" + (f"/{self.shots}" if self.unit == "segment"
                                                  else "")
        self.report(overall, f"{stage}" if self.shots == 1 else f"{label}: {stage}")

    def report(self, overall: float, stage: str, *, force: bool = False,
               announce: bool = False) -> None:
        """`force` (stage boundaries) always checks and beats; events stay <= 1 per second,
        unless `announce`d."""
        now = time.monotonic()
        if force or now - self._last_check >= CHECK_INTERVAL_S:
            self._last_check = now
            self.check_still_wanted()
        publish = announce or now - self._last_publish >= PUBLISH_INTERVAL_S
        if not (publish or force):
            return
        fields = {"heartbeat_at": timezone.now(), "progress": round(overall, 4),
                  "stage": stage[:30]}
        with transaction.atomic():
            updated = Video.objects.filter(pk=self.video_id, run_token=self.run_token,
                                           status=Video.Status.IN_PROGRESS).update(**fields)
            if updated and publish:
                self._last_publish = now
                events.progress_publish(Video.objects.get(pk=self.video_id))

    def check_still_wanted(self) -> None:
        row = Video.objects.filter(pk=self.video_id).values(
            "run_token", "status", "cancel_requested").first()
        if row is None or row["run_token"] != self.run_token or \
                row["status"] != Video.Status.IN_PROGRESS:
            raise ClaimLost()
        if row["cancel_requested"]:
            raise GenerationCancelled()
