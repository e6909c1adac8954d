"""Cursor stability (new posts between page fetches) and a constant number of queries per page."""

import base64

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from feed_factories import post_make, video_make

from accounts.models import Follow

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(user_factory, login):
    me = user_factory()
    creators = [user_factory() for _ in range(8)]
    for creator in creators:
        Follow.objects.create(follower=me, followee=creator)
    root = None
    for round_ in range(4):
        for creator in creators:
            post = post_make(creator, caption=f"round {round_} #loop")
            root = root or post
            if round_ == 1:  # remixes of the first post, so credits are on the pages too
                post_make(creator, video=video_make(creator, remix_of=root.video,
                                                    remix_root=root.video, remix_depth=1))
    return me, creators, login(me)


def walk(client, url, creators, insert_between: bool) -> list[str]:
    seen: list[str] = []
    while url:
        body = client.get(url).json()
        seen += [p["video_id"] for p in body["results"]]
        if insert_between:
            for creator in creators[:3]:
                post_make(creator, caption="brand new #loop")
        url = body["next"]
    return seen


@pytest.mark.parametrize("url", ["/api/v1/feed/following?page_size=5",
                                 "/api/v1/feed/for-you?page_size=5",
                                 "/api/v1/hashtags/loop/posts?page_size=5"])
def test_no_duplicates_no_gaps_while_posts_arrive(world, url):
    _me, creators, client = world
    before = walk(client, url, creators, insert_between=False)
    assert len(before) == len(set(before)) and len(before) >= 30
    during = walk(client, url, creators, insert_between=True)
    assert len(during) == len(set(during)), "a post appeared twice"
    if "for-you" in url:
        assert set(during) == set(before), "the snapshot changed under the cursor"
    else:
        assert during == before, "a post was skipped or the order shifted"


def test_for_you_snapshot_survives_likes_that_reorder_scores(world, user_factory, login):
    _, _, client = world
    first = client.get("/api/v1/feed/for-you?page_size=5").json()
    fan = login(user_factory())
    for post in first["results"]:
        fan.post(f"/api/v1/videos/{post['video_id']}/like")
    rest, url = [], first["next"]
    while url:
        body = client.get(url).json()
        rest += video_ids_of(body)
        url = body["next"]
    ids = [p["video_id"] for p in first["results"]] + rest
    assert len(ids) == len(set(ids))


def video_ids_of(body) -> list[str]:
    return [p["video_id"] for p in body["results"]]


def test_invalid_and_expired_cursors(world, settings):
    _, _, client = world
    bad = client.get("/api/v1/feed/following?cursor=!!!")
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "feed.invalid_cursor"
    page = client.get("/api/v1/feed/for-you?page_size=5").json()
    settings.FEED_SNAPSHOT_TTL_S = -1
    gone = client.get(page["next"])
    assert gone.status_code == 410 and gone.json()["error"]["code"] == "feed.cursor_expired"
    wrong_kind = client.get(f"/api/v1/feed/for-you?cursor={page['next_cursor']}x")
    assert wrong_kind.status_code in (400, 410)


@pytest.mark.parametrize("text", ["k\u00b2", "k" + "9" * 30, "k-5", "k", "s1.\u00b2",
                                  "s\u00b2.0", "s1", "s" + "9" * 30 + ".0", "x12"])
def test_malformed_cursors_are_a_400_never_a_500(text, world):
    """Digits only ASCII and of an id's size: "²" passes str.isdigit but not int()."""
    _, _, client = world
    cursor = base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")
    for url in ("/api/v1/feed/following", "/api/v1/feed/for-you", "/api/v1/hashtags/loop/posts"):
        response = client.get(f"{url}?cursor={cursor}")
        assert response.status_code == 400, (url, text, response.content)
        assert response.json()["error"]["code"] == "feed.invalid_cursor"


# (first page, any later page). For-you's first page ranks (taste: five queries; the viewer's
# two candidate sources: one UNION ALL where the database allows a LIMIT per part, Postgres;
# the two shared pools, loaded on every page here since the tests set FEED_POOL_TTL_S=0) and
# caches the snapshot; later pages read the snapshot from the cache and only hydrate.
@pytest.mark.parametrize(("url", "first", "later"), [
    ("/api/v1/feed/following", 3, 3),
    ("/api/v1/feed/for-you", 12, 2),
    ("/api/v1/hashtags/loop/posts", 3, 3),
    ("/api/v1/users/{h}/posts", 5, 5),
    ("/api/v1/videos/{v}/remixes", 5, 5),
])
def test_constant_queries_per_page(world, url, first, later):
    _me, creators, client = world
    if "for-you" in url and connection.features.supports_slicing_ordering_in_compound:
        first -= 1  # the viewer's two candidate queries go as one
    root = creators[0].posts.filter(remix_depth=0).order_by("id").first()
    url = url.format(h=creators[0].handle, v=root.video_id) + "?page_size=1"
    counts = []
    while url and len(counts) < 4:
        with CaptureQueriesContext(connection) as captured:
            body = client.get(url).json()
        counts.append(len(captured))
        url = body.get("next")
    assert len(counts) >= 3
    assert counts == [first] + [later] * (len(counts) - 1)


def test_first_and_later_page_query_counts_do_not_grow_with_data(world, user_factory):
    _me, creators, client = world

    def page_queries(url: str) -> tuple[int, int]:
        cache.clear()  # the worst case: the viewer's taste not cached yet
        with CaptureQueriesContext(connection) as first:
            body = client.get(url).json()
        with CaptureQueriesContext(connection) as later:
            client.get(body["next"])
        return len(first), len(later)

    small = {u: page_queries(u) for u in ("/api/v1/feed/following?page_size=3",
                                          "/api/v1/feed/for-you?page_size=3")}
    for creator in creators:
        for _ in range(3):
            post_make(creator, caption="more")
    big = {u: page_queries(u) for u in small}
    assert big == small
    with CaptureQueriesContext(connection) as warm:  # taste cached: five queries fewer
        client.get("/api/v1/feed/for-you?page_size=3")
    assert len(warm) == small["/api/v1/feed/for-you?page_size=3"][0] - 5


def test_hidden_runs_longer_than_the_window_leave_no_gaps(user_factory, login):
    me, author = user_factory(), user_factory()
    Follow.objects.create(follower=me, followee=author)
    visible = [post_make(author) for _ in range(3)]
    for _ in range(12):  # a long run of moderated posts in the middle of the list
        post = post_make(author)
        post.video.restricted = True
        post.video.save()
    visible += [post_make(author) for _ in range(3)]
    client, url, seen = login(me), "/api/v1/feed/following?page_size=2", []
    while url:
        body = client.get(url).json()
        seen += [p["video_id"] for p in body["results"]]
        url = body["next"]
    assert seen == [str(p.video_id) for p in reversed(visible)]


def test_following_pages_interleave_a_prolific_creator_with_a_quiet_one(user_factory, login):
    """Each followee gives the window at most its own newest posts (Postgres): a creator
    posting far more than a page must not crowd out, reorder or skip anyone across pages."""
    me, busy, quiet = user_factory(), user_factory(handle="busy"), user_factory(handle="quiet")
    for author in (busy, quiet):
        Follow.objects.create(follower=me, followee=author)
    expected = []
    for n in range(40):
        post = post_make(quiet if n in (3, 17, 38) else busy)
        expected.append(str(post.video_id))
    client = login(me)
    seen, url = [], "/api/v1/feed/following?page_size=4"
    while url:
        body = client.get(url).json()
        seen += [p["video_id"] for p in body["results"]]
        url = body["next"]
    assert seen == expected[::-1]
