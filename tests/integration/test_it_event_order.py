"""Event ids of one user are commit-ordered on Postgres, so `?after=<id>` never skips an event:
two transactions writing events for the same user at once, the later one to draw an id cannot
commit before the earlier one ends (and a lower id can never appear behind a higher one)."""

import threading
import time

import pytest
from django.db import connection, transaction

from events.selectors import notifications_after
from events.services import event_publish, events_publish_many

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


class Writer(threading.Thread):
    """One transaction in its own connection: publish, then hold the transaction open until
    `release` is set."""

    def __init__(self, user_ids: list[int], release: threading.Event) -> None:
        super().__init__(daemon=True)
        self.user_ids, self.release = user_ids, release
        self.published = threading.Event()
        self.ids: list[int] = []
        self.committed_at = 0.0
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            with transaction.atomic():
                self.ids = [n.pk for n in events_publish_many(
                    events=[(u, "test.order", {}) for u in self.user_ids])]
                self.published.set()
                self.release.wait(10)
            self.committed_at = time.monotonic()
        except BaseException as exc:  # the test thread reports it
            self.error = exc
        finally:
            connection.close()


def test_a_later_id_of_the_same_user_waits_for_the_earlier_commit(user_factory):
    ana, bob = user_factory(), user_factory()
    hold_a, hold_b, free = threading.Event(), threading.Event(), threading.Event()
    free.set()
    first = Writer([ana.pk], hold_a)
    first.start()
    assert first.published.wait(10)
    second = Writer([ana.pk], hold_b)  # the same user while the first is still open
    second.start()
    other = Writer([bob.pk], free)  # someone else's events do not wait
    other.start()
    other.join(10)
    assert other.error is None and other.committed_at, "another user's events waited"
    assert not second.published.wait(0.5), "a second id for the user was drawn mid-transaction"
    # a reader now: everything it sees of ana's is a prefix of the commit order
    assert [n.pk for n in notifications_after(user_id=ana.pk, after_id=0)] == []
    hold_a.set()
    first.join(10)
    assert second.published.wait(10)
    hold_b.set()
    second.join(10)
    assert first.error is None and second.error is None
    assert first.committed_at <= second.committed_at and second.ids[0] > first.ids[0]
    # a client that saw the first event replays exactly the second, and nothing is behind it
    assert [n.pk for n in notifications_after(user_id=ana.pk, after_id=first.ids[0])] == (
        second.ids)


def test_overlapping_fan_outs_never_deadlock_and_stay_ordered_per_user(user_factory):
    users = [user_factory().pk for _ in range(6)]
    release = threading.Event()
    writers = [Writer(users[::-1], release), Writer(users, release),
               Writer(users[2:] + users[:2], release)]
    for writer in writers:
        writer.start()
    time.sleep(0.3)
    release.set()
    for writer in writers:
        writer.join(20)
    assert all(w.error is None and w.committed_at for w in writers)
    by_commit = sorted(writers, key=lambda w: w.committed_at)
    for user in users:  # each user's ids rise in commit order
        ids = [w.ids[w.user_ids.index(user)] for w in by_commit]
        assert ids == sorted(ids)
        assert [n.pk for n in notifications_after(user_id=user, after_id=0)] == ids


def test_a_single_event_publish_outside_a_transaction_is_stored_and_ordered(user_factory):
    user = user_factory()
    ids = [event_publish(user_id=user.pk, type="test.autocommit", payload={}).pk
           for _ in range(3)]
    assert [n.pk for n in notifications_after(user_id=user.pk, after_id=0)] == ids
