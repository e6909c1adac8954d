"""Event ids of one user follow commit order on Postgres, so `?after=<id>` never skips an
event: ids are drawn in the transaction's last step before COMMIT, under its users' locks, so a
lower id can never appear behind a higher one, an open transaction holds no one back, and
publishing to the same users in any order, in any number of calls, never deadlocks."""

import threading
import time

import pytest
from django.db import connection, transaction

from accounts.facade import user_lock
from events.models import Notification
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
        self.notifications: list[Notification] = []
        self.committed_at = 0.0
        self.error: BaseException | None = None

    @property
    def ids(self) -> list[int]:  # set at commit
        return [n.pk for n in self.notifications]

    def run(self) -> None:
        try:
            with transaction.atomic():
                self.notifications = events_publish_many(
                    events=[(u, "test.order", {}) for u in self.user_ids])
                self.published.set()
                self.release.wait(10)
            self.committed_at = time.monotonic()
        except BaseException as exc:  # the test thread reports it
            self.error = exc
        finally:
            connection.close()


def test_an_open_transaction_holds_no_one_back_and_ids_follow_commit_order(user_factory):
    ana = user_factory()
    hold, free = threading.Event(), threading.Event()
    free.set()
    first = Writer([ana.pk], hold)
    first.start()
    assert first.published.wait(10)
    second = Writer([ana.pk], free)  # the same user while the first is still open
    second.start()
    second.join(10)
    assert second.error is None and second.committed_at, "waited for an open transaction"
    # a reader now sees the second, committed, event; the first has no id yet
    assert [n.pk for n in notifications_after(user_id=ana.pk, after_id=0)] == second.ids
    hold.set()
    first.join(10)
    assert first.error is None
    assert second.committed_at <= first.committed_at and first.ids[0] > second.ids[0]
    # a client that saw the second event replays exactly the first, and nothing is behind it
    assert [n.pk for n in notifications_after(user_id=ana.pk, after_id=second.ids[0])] == (
        first.ids)


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


class TwoCallWriter(threading.Thread):
    """One transaction publishing to two users in two separate calls, meeting the other
    writer between them, so both have published once before either publishes again."""

    def __init__(self, first: int, second: int, between: threading.Barrier) -> None:
        super().__init__(daemon=True)
        self.first, self.second, self.between = first, second, between
        self.notifications: list[Notification] = []
        self.committed_at = 0.0
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            with transaction.atomic():
                self.notifications.append(
                    event_publish(user_id=self.first, type="test.crossed", payload={}))
                self.between.wait(10)
                self.notifications.append(
                    event_publish(user_id=self.second, type="test.crossed", payload={}))
            self.committed_at = time.monotonic()
        except BaseException as exc:  # the test thread reports it
            self.error = exc
        finally:
            connection.close()

    def id_of(self, user_id: int) -> int:
        return next(n.pk for n in self.notifications if n.user_id == user_id)


def test_two_transactions_publishing_to_two_users_in_opposite_orders_both_commit(user_factory):
    """The case that deadlocked when each call locked its users as it went (one transaction
    failed with DeadlockDetected): now each transaction takes its users' order at commit, in
    one ascending step."""
    ana, bob = user_factory().pk, user_factory().pk
    for _ in range(5):
        between = threading.Barrier(2)
        writers = [TwoCallWriter(ana, bob, between), TwoCallWriter(bob, ana, between)]
        for writer in writers:
            writer.start()
        for writer in writers:
            writer.join(20)
        assert [w.error for w in writers] == [None, None]
        assert all(w.committed_at for w in writers)
    # every user's ids rise in the order their transactions committed, and a replay is whole
    for user in (ana, bob):
        stored = [n.pk for n in notifications_after(user_id=user, after_id=0)]
        assert len(stored) == 10 and stored == sorted(stored)


def test_a_row_lock_on_the_user_and_a_commit_for_that_user_never_deadlock(user_factory):
    """One transaction holds the user's row (accounts' user_lock: FOR UPDATE) and publishes to
    them; another publishes to the same user and commits first. The second waits for the row
    before it takes the user's event order, so the first can still take it and commit."""
    ana = user_factory().pk
    holding, release = threading.Event(), threading.Event()
    result: dict[str, object] = {}

    def holder() -> None:
        try:
            with transaction.atomic():
                user_lock(user_id=ana)
                notification = event_publish(user_id=ana, type="test.locked", payload={})
                holding.set()
                release.wait(10)
            result["holder"] = notification.pk
        except BaseException as exc:
            result["holder_error"] = exc
        finally:
            connection.close()

    def other() -> None:
        try:
            with transaction.atomic():
                notification = event_publish(user_id=ana, type="test.other", payload={})
            result["other"] = notification.pk
        except BaseException as exc:
            result["other_error"] = exc
        finally:
            connection.close()

    first = threading.Thread(target=holder, daemon=True)
    first.start()
    assert holding.wait(10)
    second = threading.Thread(target=other, daemon=True)
    second.start()
    time.sleep(0.5)  # the second is at its commit now, waiting on the held row
    release.set()
    first.join(20)
    second.join(20)
    assert "holder_error" not in result and "other_error" not in result, result
    ids = [n.pk for n in notifications_after(user_id=ana, after_id=0)]
    assert sorted(ids) == ids and set(ids) == {result["holder"], result["other"]}
