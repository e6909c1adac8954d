"""Counters under real concurrency on Postgres: threads liking (and re-liking) one post."""

import threading

import pytest
from django.db import connection, connections
from feed_factories import post_make

from feed.models import Comment, Like, Post
from feed.services import comment_create, like_add, like_remove

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _postgres_only() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (row locks and real concurrent transactions)")


def run_together(work, count: int) -> list[BaseException]:
    barrier = threading.Barrier(count)
    errors: list[BaseException] = []

    def target(i: int) -> None:
        try:
            barrier.wait()
            work(i)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=target, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


def test_concurrent_likes_keep_the_count_exact(user_factory):
    post = post_make(user_factory())
    fans = [user_factory() for _ in range(16)]

    def like_twice(i: int) -> None:
        # Each fan likes twice at once with a twin thread: only one like may count.
        like_add(user=fans[i // 2], video_id=post.video_id)

    assert run_together(like_twice, 32) == []
    post.refresh_from_db()
    assert post.like_count == Like.objects.filter(post=post).count() == 16

    def unlike_some(i: int) -> None:
        if i % 2 == 0:
            like_remove(user=fans[i], video_id=post.video_id)
        else:
            like_add(user=fans[i], video_id=post.video_id)

    assert run_together(unlike_some, 16) == []
    post.refresh_from_db()
    assert post.like_count == Like.objects.filter(post=post).count() == 8


def test_concurrent_comments_keep_the_count_exact(user_factory):
    post = post_make(user_factory())
    authors = [user_factory() for _ in range(12)]

    def comment(i: int) -> None:
        comment_create(user=authors[i], video_id=post.video_id, body=f"hello {i}")

    assert run_together(comment, 12) == []
    post.refresh_from_db()
    assert post.comment_count == Comment.objects.filter(post=post).count() == 12
    assert Post.objects.get(pk=post.pk).hot_score > post.hot_base
