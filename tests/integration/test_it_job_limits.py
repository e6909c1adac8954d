"""The active-jobs limit under concurrency, on Postgres (SQLite would serialise the writers)."""

import threading
from collections import Counter

import pytest
from django.conf import settings
from django.db import connection

from billing.services import credits_adjust
from core.errors import DomainError
from generation.models import Video
from generation.services import VideoRequest, video_create
from moderation.facade import prompt_check
from tests.factories import UserFactory

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def test_parallel_requests_of_one_user_accept_exactly_the_limit():
    user = UserFactory(handle="racer")
    credits_adjust(user_id=user.pk, amount=1000, reason="enough for every request",
                   actor_id=user.pk)
    parallel = 8
    # Build the process's policy engine (22,000 terms) before the race: eight threads building
    # it at once on a loaded machine outlast the join, and the race is about the lock.
    prompt_check(text="warm up", user_id=user.pk)
    connection.close()  # back to the pool: the eight racers need all of its connections
    start = threading.Barrier(parallel)
    outcomes: list[str] = []

    def submit(n: int) -> None:
        try:
            start.wait(timeout=30)
            video_create(user=user, request=VideoRequest(prompt=f"race {n}", seconds=4))
            outcomes.append("accepted")
        except DomainError as exc:
            outcomes.append(exc.code)
        finally:
            connection.close()

    threads = [threading.Thread(target=submit, args=(n,)) for n in range(parallel)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=180)
    assert not any(thread.is_alive() for thread in threads)
    limit = settings.GENERATION_MAX_CONCURRENT_JOBS
    assert Counter(outcomes) == {"accepted": limit,
                                 "generation.too_many_active_jobs": parallel - limit}
    assert Video.objects.filter(owner=user).count() == limit
