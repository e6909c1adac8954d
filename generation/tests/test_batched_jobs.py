"""Queued jobs of one shape made in one pipeline call (GENERATION_BATCH_MAX), through the
real worker path (tiny model, real marks, encode, C2PA, transitions, billing): each job gets
its own file, watermark and settlement, and a cancel of one leaves the others alone."""

from collections.abc import Sequence
from typing import Any

import pytest

from accounts.facade import User
from billing.models import LedgerEntry
from generation import services
from generation.backends import GenerationSpec, backend_register
from generation.backends.base import ProgressCallback
from generation.backends.ltx2 import BatchOutcome
from generation.backends.tiny import build_tiny_backend
from generation.models import Video
from generation.pipeline import video_run
from generation.provenance.c2pa_verify import read_watermark

pytestmark = pytest.mark.django_db
WIDTH, HEIGHT = 96, 160


class WatchedTiny:
    """The tiny model registered by name; records each pipeline call's batch and can act
    (a cancel) when the call reports its first denoising step."""

    name = "watched-tiny"

    def __init__(self) -> None:
        self.inner = build_tiny_backend()
        self.batches: list[int] = []
        self.on_first_step: Any = None

    def generate(self, spec: GenerationSpec, progress: ProgressCallback | None = None) -> Any:
        self.batches.append(1)
        return self.inner.generate(spec, progress)

    def generate_batch(self, specs: Sequence[GenerationSpec],
                       progresses: Sequence[ProgressCallback]) -> list[BatchOutcome]:
        self.batches.append(len(specs))
        acted = []

        def first(fraction: float, stage: str) -> None:
            if stage == "denoise" and not acted and self.on_first_step is not None:
                acted.append(True)
                self.on_first_step()

        return self.inner.generate_batch(
            specs, [_both(first, progress) if index == 0 else progress
                    for index, progress in enumerate(progresses)])


def _both(first: ProgressCallback, then: ProgressCallback) -> ProgressCallback:
    def both(fraction: float, stage: str) -> None:
        first(fraction, stage)
        then(fraction, stage)
    return both


@pytest.fixture
def watched(settings: Any) -> WatchedTiny:
    backend = WatchedTiny()
    backend_register("watched-tiny", lambda _device: backend)
    settings.GENERATION_BACKEND = "watched-tiny"
    settings.GENERATION_BATCH_MAX = 3
    settings.GENERATION_INFERENCE_STEPS = 3
    return backend


def _queue(capture: Any, user: User, prompt: str, seconds: int = 4) -> Video:
    with capture(execute=False):  # queued; its delivery is not run here
        return services.video_create(user=user, request=services.VideoRequest(
            prompt=prompt, seconds=seconds, width=WIDTH, height=HEIGHT))


def _three_users_queue(capture: Any, user_factory: Any, subject: str
                       ) -> tuple[list[User], list[Video]]:
    """Ana, Bob and Cy each queue one job of the same shape."""
    users = [user_factory(handle=h) for h in ("ana", "bob", "cy")]
    return users, [_queue(capture, user, f"{user.handle}'s {subject}") for user in users]


def _ledger(job: Video) -> list[str]:
    """The job's own credit movements, in order."""
    return list(LedgerEntry.objects.filter(reference=f"job:{job.pk}").order_by("pk")
                .values_list("kind", flat=True))


def test_three_queued_jobs_of_one_shape_run_in_one_call_each_settled_alone(
        user_factory: Any, watched: WatchedTiny, django_capture_on_commit_callbacks: Any
        ) -> None:
    capture = django_capture_on_commit_callbacks
    users, jobs = _three_users_queue(capture, user_factory, "heron at dawn")
    other_shape = _queue(capture, users[0], "a longer heron", seconds=8)

    assert video_run(video_id=jobs[0].pk) == Video.Status.COMPLETED
    assert watched.batches == [3]
    marks = set()
    for job in jobs:
        job.refresh_from_db()
        assert job.status == Video.Status.COMPLETED, job.error_code
        found = read_watermark(job.video_file.path)
        assert found.found and found.payload == job.watermark_id
        marks.add(found.payload)
        assert _ledger(job) == ["reserve", "capture"]
    assert len(marks) == 3
    other_shape.refresh_from_db()
    assert other_shape.status == Video.Status.QUEUED  # another shape waits for its delivery
    # The companions' own deliveries find them done and skip.
    assert video_run(video_id=jobs[1].pk) == "skipped"


def test_a_cancel_of_one_batched_job_leaves_the_others(
        user_factory: Any, watched: WatchedTiny, django_capture_on_commit_callbacks: Any
        ) -> None:
    users, jobs = _three_users_queue(django_capture_on_commit_callbacks, user_factory, "kite")

    def bob_cancels() -> None:
        services.video_cancel(user=users[1], video_id=jobs[1].pk)

    watched.on_first_step = bob_cancels
    assert video_run(video_id=jobs[0].pk) == Video.Status.COMPLETED
    assert watched.batches == [3]
    states = []
    for job in jobs:
        job.refresh_from_db()
        states.append((job.status, bool(job.video_file)))
    assert states == [(Video.Status.COMPLETED, True), (Video.Status.CANCELLED, False),
                      (Video.Status.COMPLETED, True)]
    assert _ledger(jobs[1]) == ["reserve", "release"]
    assert _ledger(jobs[0]) == _ledger(jobs[2]) == ["reserve", "capture"]


def test_a_job_blocked_before_the_call_goes_alone_and_the_rest_are_made(
        user_factory: Any, watched: WatchedTiny, django_capture_on_commit_callbacks: Any
        ) -> None:
    capture = django_capture_on_commit_callbacks
    ana, bob = user_factory(handle="ana"), user_factory(handle="bob")
    first, second = (_queue(capture, user, f"{user.handle}'s boat") for user in (ana, bob))
    Video.objects.filter(pk=second.pk).update(cancel_requested=True)
    # A cancel asked for before the claim: the job is not a companion at all.
    assert video_run(video_id=first.pk) == Video.Status.COMPLETED
    assert watched.batches == [1]
