"""Stories: the tree of remixes and extensions under a root, through the real endpoints."""

import json
from typing import Any
from uuid import uuid4

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from feed_factories import post_make, video_make

from accounts.models import Block, Follow
from feed.models import Post
from generation.models import Video

pytestmark = pytest.mark.django_db

SECRET = "zebra-secret-xyzzy"  # written into every field of a hidden branch: must never leak


def branch(owner: Any, parent: Video, *, extension: bool = False, publish: bool = True,
           **settings: Any) -> Video:
    root = parent.remix_root or parent
    video = video_make(owner, remix_of=parent, remix_root=root,
                       remix_depth=parent.remix_depth + 1, prompt=settings.pop("prompt", "next"),
                       provenance={"extends": str(parent.pk)} if extension else {})
    if publish:
        post_make(owner, video=video, **settings)
    return video


def chain(people: dict[str, Any], length: int) -> tuple[Video, Video]:
    """ana's published root and `length` of bob's branches, each under the one before:
    (root, the deepest branch)."""
    root = video_make(people["ana"])
    post_make(people["ana"], video=root)
    parent = root
    for _ in range(length):
        parent = branch(people["bob"], parent)
    return root, parent


@pytest.fixture
def people(user_factory):
    return {name: user_factory(handle=name) for name in ("ana", "bob", "cy", "dee", "eve")}


@pytest.fixture
def story(people):
    """ana's root; bob extends it, cy remixes it; dee continues bob's branch."""
    root = video_make(people["ana"], prompt="a fox at dawn")
    post_make(people["ana"], video=root, choice_label="")
    b = branch(people["bob"], root, extension=True, choice_label="The fox runs")
    c = branch(people["cy"], root, choice_label="The fox sleeps")
    d = branch(people["dee"], b, extension=True, choice_label="Into the river")
    return {"root": root, "b": b, "c": c, "d": d}


def nodes(body: dict[str, Any]) -> dict[str, dict[str, Any]]:
    out, stack = {}, [body["root"]]
    while stack:
        node = stack.pop()
        out[node["id"]] = node
        stack.extend(node["children"])
    return out


def test_tree_from_any_node_with_labels_kinds_and_counts(login, people, story):
    body = login(people["eve"]).get(f"/api/v1/stories/{story['d'].pk}").json()
    assert body["story_id"] == str(story["root"].pk)
    assert body["truncated"] is False and body["node_count"] == 4
    root = body["root"]
    assert root["kind"] == "root" and root["author"] == "ana"
    assert root["counts"] == {"likes": 0, "views": 0, "branches": 2}
    b, c = root["children"]
    assert (b["id"], b["kind"], b["author"], b["choice_label"]) == (
        str(story["b"].pk), "extension", "bob", "The fox runs")
    assert (c["kind"], c["choice_label"]) == ("remix", "The fox sleeps")
    assert b["thumbnail"] == f"/api/v1/videos/{story['b'].pk}/content?variant=thumbnail"
    assert [n["id"] for n in b["children"]] == [str(story["d"].pk)]
    assert b["children"][0]["tombstone"] is False


@pytest.mark.parametrize("rule", ["private", "unpublished", "removed", "restricted", "deleted",
                                  "blocked", "blocked_by", "followers_only", "inactive"])
def test_a_branch_others_may_not_see_is_a_tombstone_with_nothing_of_its_content(
        rule, login, people, story):
    """bob's branch (with dee's visible continuation under it) goes dark: eve sees only its id
    and its children; bob still sees all of it."""
    bob, eve = people["bob"], people["eve"]
    video = story["b"]
    post = Post.objects.get(video=video)
    post.caption = SECRET
    post.choice_label = SECRET
    post.save()
    Video.objects.filter(pk=video.pk).update(prompt=SECRET)
    if rule == "private":
        Post.objects.filter(pk=post.pk).update(visibility="private")
    elif rule == "followers_only":
        Post.objects.filter(pk=post.pk).update(visibility="followers")
    elif rule == "unpublished":
        login(bob).delete(f"/api/v1/videos/{video.pk}/publish")
    elif rule == "removed":
        Video.objects.filter(pk=video.pk).update(held_for_review=True)
    elif rule == "restricted":
        Video.objects.filter(pk=video.pk).update(restricted=True)
    elif rule == "deleted":
        Video.objects.filter(pk=video.pk).update(deleted_at=timezone.now())
    elif rule == "blocked":
        Block.objects.create(blocker=eve, blocked=bob)
    elif rule == "blocked_by":
        Block.objects.create(blocker=bob, blocked=eve)
    elif rule == "inactive":
        type(bob).objects.filter(pk=bob.pk).update(is_active=False)

    response = login(eve).get(f"/api/v1/stories/{story['root'].pk}")
    assert response.status_code == 200
    raw = response.content.decode()
    assert SECRET not in raw and "bob" not in raw
    tomb = nodes(response.json())[str(video.pk)]
    assert tomb == {"id": str(video.pk), "tombstone": True, "children": [tomb["children"][0]]}
    assert tomb["children"][0]["author"] == "dee"
    assert response.json()["root"]["counts"]["branches"] == 1  # cy's only
    # Asked for by its own id, the story does not confirm it exists; nor does playback.
    assert login(eve).get(f"/api/v1/stories/{video.pk}").status_code == 404
    playback = login(eve).get(f"/api/v1/stories/{story['root'].pk}/playback?from={video.pk}")
    assert SECRET not in playback.content.decode() and "bob" not in playback.content.decode()
    assert playback.json()["clip"] is None
    if rule in ("private", "followers_only", "removed", "restricted"):
        own = nodes(login(bob).get(f"/api/v1/stories/{story['root'].pk}").json())
        assert own[str(video.pk)]["choice_label"] == SECRET  # the owner still sees their own


def test_a_tombstone_with_nothing_shown_below_it_is_left_out(login, people, story):
    Post.objects.filter(video=story["c"]).update(visibility="private")
    body = login(people["eve"]).get(f"/api/v1/stories/{story['root'].pk}").json()
    assert str(story["c"].pk) not in nodes(body)
    assert body["node_count"] == 3


def test_an_unpublished_root_is_a_tombstone_and_branches_still_show(login, people, story):
    login(people["ana"]).delete(f"/api/v1/videos/{story['root'].pk}/publish")
    body = login(people["eve"]).get(f"/api/v1/stories/{story['c'].pk}").json()
    assert body["root"] == {"id": str(story["root"].pk), "tombstone": True,
                            "children": body["root"]["children"]}
    assert "a fox at dawn" not in json.dumps(body) and "ana" not in json.dumps(body)
    assert len(body["root"]["children"]) == 2


def test_unknown_and_invisible_ids_are_404(login, people, story):
    client = login(people["eve"])
    assert client.get(f"/api/v1/stories/{uuid4()}").status_code == 404
    lone = video_make(people["ana"])  # never published: not visible to eve
    assert client.get(f"/api/v1/stories/{lone.pk}").status_code == 404
    assert login(people["ana"]).get(f"/api/v1/stories/{lone.pk}").status_code == 404


def test_canonical_path_is_validated_and_marks_the_path(login, people, story):
    ana = login(people["ana"])
    url = f"/api/v1/stories/{story['b'].pk}/canonical-path"
    r, b, c, d = (str(story[k].pk) for k in ("root", "b", "c", "d"))
    for bad in ([b, d], [r, d], [r, c, d], [r, b, b], [r, str(uuid4())], [r, b, d, r]):
        response = ana.put(url, {"path": bad}, format="json")
        assert response.status_code == 400, bad
        assert response.json()["error"]["code"] == "stories.invalid_path"
    assert ana.put(url, {"path": ["nope"]}, format="json").status_code == 400
    assert Post.objects.count() == 4  # nothing half-written
    response = ana.put(url, {"path": [r, b, d]}, format="json")
    assert response.status_code == 200 and response.json()["canonical_path"] == [r, b, d]
    seen = login(people["eve"]).get(f"/api/v1/stories/{r}").json()
    assert seen["canonical_path"] == [r, b, d]
    assert [n["canonical"] for n in (seen["root"], nodes(seen)[b], nodes(seen)[c])] == [
        True, True, False]
    # A viewer who cannot see bob's branch gets the path cut where it goes dark.
    Block.objects.create(blocker=people["bob"], blocked=people["eve"])
    assert login(people["eve"]).get(f"/api/v1/stories/{r}").json()["canonical_path"] == [r]
    assert ana.put(url, {"path": []}, format="json").json()["canonical_path"] == []


def test_only_the_root_author_arranges_the_story(login, people, story):
    for who in ("bob", "eve"):
        client = login(people[who])
        for method, path, data in (
                ("put", "canonical-path", {"path": [str(story["root"].pk)]}),
                ("put", f"branches/{story['c'].pk}", {"pinned": True})):
            response = getattr(client, method)(f"/api/v1/stories/{story['root'].pk}/{path}",
                                               data, format="json")
            assert response.status_code == 403, (who, path)
            assert response.json()["error"]["code"] == "stories.not_story_owner"


def test_pin_and_hide_branches(login, people, story):
    ana = login(people["ana"])
    base = f"/api/v1/stories/{story['root'].pk}"
    body = ana.put(f"{base}/branches/{story['c'].pk}", {"pinned": True}, format="json").json()
    assert [n["id"] for n in body["root"]["children"]] == [str(story["c"].pk),
                                                          str(story["b"].pk)]
    assert body["root"]["children"][0]["pinned"] is True
    ana.put(f"{base}/branches/{story['b'].pk}", {"hidden": True}, format="json")
    eve = nodes(login(people["eve"]).get(base).json())
    assert str(story["b"].pk) not in eve and str(story["d"].pk) not in eve  # with its subtree
    bob = nodes(login(people["bob"]).get(base).json())
    assert bob[str(story["b"].pk)]["hidden"] is True  # its author still sees it
    dee = nodes(login(people["dee"]).get(base).json())  # dee's own node, under a hidden one
    assert dee[str(story["b"].pk)]["tombstone"] is True
    assert dee[str(story["d"].pk)]["tombstone"] is False
    assert nodes(ana.get(base).json())[str(story["b"].pk)]["hidden"] is True
    ana.put(f"{base}/branches/{story['b'].pk}", {"hidden": False}, format="json")
    assert str(story["d"].pk) in nodes(login(people["eve"]).get(base).json())
    root_arrange = ana.put(f"{base}/branches/{story['root'].pk}", {"hidden": True},
                           format="json")
    assert root_arrange.status_code == 400
    assert root_arrange.json()["error"]["code"] == "stories.not_a_branch"
    unknown = ana.put(f"{base}/branches/{uuid4()}", {"pinned": True}, format="json")
    assert unknown.status_code == 404


def test_choice_label_at_publish_and_edit_moderated(login, people, story):
    bob = login(people["bob"])
    url = f"/api/v1/stories/{story['b'].pk}/label"
    response = bob.put(url, {"choice_label": "The fox flies"}, format="json")
    assert response.status_code == 200
    assert Post.objects.get(video=story["b"]).choice_label == "The fox flies"
    assert bob.put(url, {"choice_label": "x" * 81}, format="json").status_code == 400
    blocked = bob.put(url, {"choice_label": "nude teen"}, format="json")
    assert blocked.status_code == 422
    assert blocked.json()["error"]["code"] == "moderation.prompt_blocked"
    assert Post.objects.get(video=story["b"]).choice_label == "The fox flies"
    other = login(people["cy"]).put(url, {"choice_label": "mine"}, format="json")
    assert other.status_code == 404
    video = video_make(people["bob"])
    publish = bob.post(f"/api/v1/videos/{video.pk}/publish",
                       {"choice_label": "nude teen"}, format="json")
    assert publish.status_code == 422 and not Post.objects.filter(video=video).exists()


def test_playback_manifest_and_choices_counted_once_per_viewer(login, people, story,
                                                               user_factory):
    base = f"/api/v1/stories/{story['root'].pk}"
    b, c = str(story["b"].pk), str(story["c"].pk)
    first = login(people["eve"])
    taken = first.post(f"{base}/choices", {"node": str(story["root"].pk), "choice": c},
                       format="json")
    assert taken.status_code == 200 and taken.json() == {"counted": True, "choice": c}
    again = first.post(f"{base}/choices", {"node": str(story["root"].pk), "choice": b},
                       format="json")
    assert again.json() == {"counted": False, "choice": c}  # the first choice stays
    for _ in range(2):
        login(user_factory()).post(f"{base}/choices", {"node": str(story["root"].pk),
                                                       "choice": b}, format="json")
    manifest = first.get(f"{base}/playback").json()
    assert manifest["clip"]["author"] == "ana"
    assert manifest["clip"]["content"].endswith("variant=video")
    assert [(ch["id"], ch["choice_label"], ch["taken"]) for ch in manifest["choices"]] == [
        (b, "The fox runs", 2), (c, "The fox sleeps", 1)]
    assert manifest["most_taken"] == b
    deeper = first.get(f"{base}/playback?from={b}").json()
    assert [ch["id"] for ch in deeper["choices"]] == [str(story["d"].pk)]
    assert deeper["most_taken"] is None
    # Not a child of that node, itself, unknown: 4xx and nothing recorded.
    for node, choice in ((str(story["root"].pk), str(story["d"].pk)), (b, b), (c, b),
                         (str(uuid4()), b)):
        response = first.post(f"{base}/choices", {"node": node, "choice": choice},
                              format="json")
        assert response.status_code in (400, 404), (node, choice)
    assert first.get(f"{base}/playback?from={uuid4()}").status_code == 404


def test_a_hidden_choice_cannot_be_taken_or_counted_by_others(login, people, story):
    Post.objects.filter(video=story["c"]).update(visibility="private")
    base = f"/api/v1/stories/{story['root'].pk}"
    response = login(people["eve"]).post(
        f"{base}/choices", {"node": str(story["root"].pk), "choice": str(story["c"].pk)},
        format="json")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "stories.invalid_choice"


def test_story_tree_in_constant_queries(login, people, user_factory):
    """Three queries (plus authentication) for 10 nodes and for 1,000, private ones among them."""
    authors = [user_factory() for _ in range(5)]
    Follow.objects.create(follower=people["eve"], followee=authors[0])
    root = video_make(people["ana"])
    post_make(people["ana"], video=root)

    def grow(count: int) -> None:
        existing = list(Video.objects.filter(remix_root=root).order_by("created_at"))
        parents = [root, *existing]
        for i in range(count):
            parent = parents[(len(parents) - 1) // 3]
            author = authors[i % len(authors)]
            video = video_make(author, remix_of=parent, remix_root=root,
                               remix_depth=parent.remix_depth + 1)
            Post.objects.create(video=video, author=author, parent_video=parent,
                                root_video=root, remix_depth=video.remix_depth,
                                visibility=("private", "followers", "public")[i % 3])
            parents.append(video)

    client = login(people["eve"])

    def queries() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as captured:
            response = client.get(f"/api/v1/stories/{root.pk}")
        assert response.status_code == 200
        return len(captured), response.json()["node_count"]

    grow(9)
    small, small_nodes = queries()
    grow(990)
    big, big_nodes = queries()
    assert big == small
    assert big_nodes > 300 and small_nodes < 10
    with CaptureQueriesContext(connection) as auth_only:
        client.get("/api/v1/feed/steering")
    assert small - (len(auth_only) - 1) == 3  # videos, posts with visibility, arrangement


def test_story_tree_is_cut_at_its_limits(login, people, settings):
    settings.STORY_MAX_NODES = 3
    root, _ = chain(people, 4)
    body = login(people["eve"]).get(f"/api/v1/stories/{root.pk}").json()
    assert body["truncated"] is True and body["node_count"] == 3
    assert body["limits"]["max_nodes"] == 3


def test_feeds_show_a_relay_as_one_story(login, people, story, user_factory):
    """eve follows everyone in the relay: following and for-you show the story once, with
    its id and branch count; a post outside any story still shows."""
    eve = people["eve"]
    for name in ("ana", "bob", "cy", "dee"):
        Follow.objects.create(follower=eve, followee=people[name])
    lone = post_make(people["cy"], caption="unrelated")
    client = login(eve)
    for url in ("/api/v1/feed/following", "/api/v1/feed/for-you"):
        results = client.get(url).json()["results"]
        stories = [item["story"]["id"] for item in results]
        assert sorted(stories) == sorted([str(story["root"].pk), str(lone.video_id)]), url
        relay = next(i for i in results if i["story"]["id"] == str(story["root"].pk))
        assert relay["story"]["branches"] == 3
        if "following" in url:
            assert relay["video_id"] == str(story["d"].pk)  # the newest branch
    # A private branch is neither shown nor counted.
    Post.objects.filter(video=story["d"]).update(visibility="private")
    results = client.get("/api/v1/feed/following").json()["results"]
    relay = next(i for i in results if i["story"]["id"] == str(story["root"].pk))
    assert relay["story"]["branches"] == 2 and relay["video_id"] == str(story["c"].pk)
    single = client.get(f"/api/v1/videos/{story['b'].pk}/post").json()
    assert single["story"] == {"id": str(story["root"].pk), "branches": 2}
    assert single["choice_label"] == "The fox runs"


def test_story_tree_is_cut_at_its_depth_limit(login, people, settings):
    settings.STORY_MAX_DEPTH = 2
    root, parent = chain(people, 2)
    url = f"/api/v1/stories/{root.pk}"
    assert login(people["eve"]).get(url).json()["truncated"] is False
    deepest = branch(people["bob"], parent)
    body = login(people["eve"]).get(url).json()
    assert body["truncated"] is True and body["node_count"] == 3
    assert str(deepest.pk) not in nodes(body)
    assert login(people["eve"]).get(f"/api/v1/stories/{deepest.pk}").status_code == 404


def test_a_teen_sees_a_labelled_branch_as_a_tombstone(login, people, story, teen_factory):
    """Teens see adults' posts only from adults they follow, never a labelled one."""
    teen = teen_factory()
    url = f"/api/v1/stories/{story['root'].pk}"
    assert login(teen).get(url).status_code == 404  # follows no one in it: nothing to see
    for name in ("ana", "bob", "dee"):
        Follow.objects.create(follower=teen, followee=people[name])
    Video.objects.filter(pk=story["b"].pk).update(label="mature")
    body = login(teen).get(url)
    assert body.status_code == 200
    assert str(story["c"].pk) not in nodes(body.json())  # cy: not followed
    tomb = nodes(body.json())[str(story["b"].pk)]
    assert tomb["tombstone"] is True and "The fox runs" not in body.content.decode()
