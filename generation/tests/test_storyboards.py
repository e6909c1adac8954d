"""Storyboards written together, through the real endpoints and real websockets (in process):
versioned shots (a stale write is a 409 with the current shot), live changes and presence,
a removed collaborator's socket closed, bad input refused with nothing written, generate."""

import time
from pathlib import Path
from typing import Any

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from channels.testing import WebsocketCommunicator

from config.asgi import application
from events.models import Notification
from generation.models import Storyboard, StoryboardCollaborator, StoryboardShot, Video
from generation.verification import provenance_verify

pytestmark = pytest.mark.django_db(transaction=True)
BOARDS = "/api/v1/storyboards"
SHOT = {"prompt": "a lighthouse keeper climbs the stairs at night", "seconds": 4}


@pytest.fixture(autouse=True)
def _default_terms(transactional_db: None) -> None:
    """Transactional tests flush every table, the migration-seeded term list included."""
    import importlib

    from django.apps import apps

    from moderation.models import Term

    if not Term.objects.exists():
        importlib.import_module("moderation.migrations.0002_seed_default_terms").seed(apps, None)


@pytest.fixture
def people(user_factory, login):
    """ana owns the storyboard; bob and cat edit it; dan only views it."""
    users = {name: user_factory(handle=name) for name in ("ana", "bob", "cat", "dan")}
    return users, {name: login(user) for name, user in users.items()}


@pytest.fixture
def board(people):
    _, clients = people
    ana = clients["ana"]
    response = ana.post(BOARDS, {"title": "The keeper", "shots": [SHOT]}, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    for handle, role in (("bob", "editor"), ("cat", "editor"), ("dan", "viewer")):
        added = ana.post(f"{BOARDS}/{body['id']}/collaborators",
                         {"handle": handle, "role": role}, format="json")
        assert added.status_code == 200, added.content
    return ana.get(f"{BOARDS}/{body['id']}").json()


async def socket(client: Any, board_id: str) -> WebsocketCommunicator:
    token = client.tokens["access"]
    communicator = WebsocketCommunicator(application, f"/ws/storyboards/{board_id}?token={token}")
    connected, code = await communicator.connect(timeout=5)
    assert connected, code
    return communicator


async def next_of(ws: WebsocketCommunicator, kind: str, timeout: float = 3) -> dict[str, Any]:
    """The next message of `kind`, skipping others (presence arrives around changes)."""
    deadline = time.monotonic() + timeout
    while True:
        message = await ws.receive_json_from(max(0.01, deadline - time.monotonic()))
        if message["type"] == kind:
            return message


def test_two_editors_on_one_shot_one_wins_the_other_gets_409_and_the_live_update(people, board):
    _, clients = people
    shot = board["shots"][0]
    url = f"{BOARDS}/{board['id']}/shots/{shot['id']}"

    async def scenario() -> None:
        bob_ws = await socket(clients["bob"], board["id"])
        cat_ws = await socket(clients["cat"], board["id"])
        # Both read version 1 and write it; ana's write lands first.
        sent = time.monotonic()
        won = await sync_to_async(clients["bob"].patch)(
            url, {"prompt": "the keeper lights the lamp", "version": shot["version"]},
            format="json")
        lost = await sync_to_async(clients["cat"].patch)(
            url, {"prompt": "the keeper falls asleep"}, format="json",
            HTTP_IF_MATCH=f'"{shot["version"]}"')
        assert won.status_code == 200, won.content
        assert won.json()["version"] == shot["version"] + 1
        assert lost.status_code == 409, lost.content
        error = lost.json()["error"]
        assert error["code"] == "storyboards.stale_shot"
        assert error["fields"]["current"]["prompt"] == "the keeper lights the lamp"
        assert error["fields"]["current"]["version"] == shot["version"] + 1
        assert error["fields"]["current"]["updated_by"] == "bob"
        # The loser sees the winning change live.
        change = await next_of(cat_ws, "storyboard.changed")
        assert time.monotonic() - sent < 1.0
        assert change["kind"] == "shot.updated" and change["by"] == "bob"
        assert change["shot"]["prompt"] == "the keeper lights the lamp"
        assert change["shot"]["version"] == shot["version"] + 1
        await bob_ws.disconnect()
        await cat_ws.disconnect()

    async_to_sync(scenario)()
    row = StoryboardShot.objects.get(pk=shot["id"])
    assert (row.prompt, row.version) == ("the keeper lights the lamp", 2)  # no overwrite
    # Stored for every member too (their /ws/events replays it), once per change.
    stored = Notification.objects.filter(type="storyboard.changed",
                                         payload__kind="shot.updated")
    assert sorted(stored.values_list("user__handle", flat=True)) == ["ana", "bob", "cat", "dan"]


def test_presence_who_is_here_and_who_edits_which_shot(people, board):
    _, clients = people
    shot_id = board["shots"][0]["id"]

    async def scenario() -> None:
        ana_ws = await socket(clients["ana"], board["id"])
        bob_ws = await socket(clients["bob"], board["id"])
        joined = await next_of(ana_ws, "presence.join")
        assert joined["user"]["handle"] == "bob"
        here = await next_of(bob_ws, "presence.here")  # the newcomer learns who is here
        assert here["user"]["handle"] == "ana" and here["user"]["editing"] is None
        await bob_ws.send_json_to({"type": "editing", "shot": shot_id})
        editing = await next_of(ana_ws, "presence.update")
        assert editing["user"] == {"handle": "bob", "socket": joined["user"]["socket"],
                                   "editing": shot_id}
        # A viewer's claim to edit is not passed on.
        dan_ws = await socket(clients["dan"], board["id"])
        assert (await next_of(ana_ws, "presence.join"))["user"]["handle"] == "dan"
        await dan_ws.send_json_to({"type": "editing", "shot": shot_id})
        await bob_ws.disconnect()
        left = await next_of(ana_ws, "presence.leave")
        assert left["user"]["handle"] == "bob"
        assert await ana_ws.receive_nothing(0.3)  # dan's claim never came
        await dan_ws.disconnect()
        await ana_ws.disconnect()

    async_to_sync(scenario)()


def test_removed_collaborator_loses_rest_and_socket_at_once(people, board):
    _, clients = people

    async def scenario() -> None:
        bob_ws = await socket(clients["bob"], board["id"])
        removed = await sync_to_async(clients["ana"].delete)(
            f"{BOARDS}/{board['id']}/collaborators/bob")
        assert removed.status_code == 204, removed.content
        while True:  # presence of others may come first; then the close
            output = await bob_ws.receive_output(3)
            if output["type"] == "websocket.close":
                break
        assert output["code"] == 4403
        again = WebsocketCommunicator(
            application, f"/ws/storyboards/{board['id']}?token={clients['bob'].tokens['access']}")
        connected, code = await again.connect(timeout=5)
        assert not connected and code == 4404

    async_to_sync(scenario)()
    bob = clients["bob"]
    assert bob.get(f"{BOARDS}/{board['id']}").status_code == 404
    patched = bob.patch(f"{BOARDS}/{board['id']}/shots/{board['shots'][0]['id']}",
                        {"prompt": "sneaky", "version": 1}, format="json")
    assert patched.status_code == 404
    assert Notification.objects.filter(user__handle="bob",
                                       type="storyboard.access_removed").count() == 1


def test_a_lost_close_message_is_caught_by_the_periodic_recheck(people, board, settings):
    """A datagram or pub/sub message can be lost: the socket reads its access again."""
    _, clients = people
    settings.EVENTS_SESSION_CHECK_S = 0.2

    async def scenario() -> None:
        bob_ws = await socket(clients["bob"], board["id"])
        # Removed without the bus hearing of it (as if its close message were lost).
        await sync_to_async(StoryboardCollaborator.objects.filter(user__handle="bob").delete)()
        while True:
            output = await bob_ws.receive_output(3)
            if output["type"] == "websocket.close":
                break
        assert output["code"] == 4403

    async_to_sync(scenario)()


def test_viewer_and_strangers(people, board, user_factory, login):
    _, clients = people
    url = f"{BOARDS}/{board['id']}"
    denied = clients["dan"].post(f"{url}/shots", SHOT, format="json")
    assert denied.status_code == 403 and denied.json()["error"]["code"] == "storyboards.read_only"
    assert clients["dan"].get(url).json()["role"] == "viewer"
    assert clients["bob"].post(f"{url}/collaborators", {"handle": "dan"},
                               format="json").json()["error"]["code"] == "storyboards.owner_only"
    stranger = login(user_factory(handle="eve"))
    assert stranger.get(url).status_code == 404
    assert [b["id"] for b in clients["cat"].get(BOARDS).json()["data"]] == [board["id"]]

    async def scenario() -> None:
        ws = WebsocketCommunicator(application,
                                   f"/ws/storyboards/{board['id']}?token={stranger.tokens['access']}")
        connected, code = await ws.connect(timeout=5)
        assert not connected and code == 4404
        ws = WebsocketCommunicator(application, f"/ws/storyboards/{board['id']}?token=garbage")
        connected, code = await ws.connect(timeout=5)
        assert not connected and code == 4401

    async_to_sync(scenario)()


def _snapshot(board_id: str) -> tuple[Any, ...]:
    storyboard = Storyboard.objects.get(pk=board_id)
    return (storyboard.revision, list(StoryboardShot.objects.filter(storyboard=storyboard)
                                      .values_list("pk", "version", "prompt", "seconds")),
            StoryboardCollaborator.objects.filter(storyboard=storyboard).count(),
            Notification.objects.count())


def test_bad_input_is_a_clear_4xx_with_nothing_written(people, board, user_factory, login):
    users, clients = people
    ana, url = clients["ana"], f"{BOARDS}/{board['id']}"
    shot_url = f"{url}/shots/{board['shots'][0]['id']}"
    before = _snapshot(board["id"])
    long_dialogue = [{"speaker": "Ana", "text": "hi"}] * 9
    cases = [
        (ana.patch(shot_url, {"prompt": "x", "version": 99}, format="json"), 409,
         "storyboards.stale_shot"),
        (ana.patch(shot_url, {"prompt": "x"}, format="json"), 428,
         "storyboards.version_required"),
        (ana.patch(shot_url, {"prompt": "x"}, format="json", HTTP_IF_MATCH="v-one"), 400,
         "storyboards.bad_version"),
        # Digits that are not ASCII ('²' passes str.isdigit, not int()): a 400, not a 500.
        (ana.patch(shot_url, {"prompt": "x"}, format="json", HTTP_IF_MATCH="\u00b2"), 400,
         "storyboards.bad_version"),
        (ana.patch(f"{url}/shots/999999", {"prompt": "x", "version": 1}, format="json"), 404,
         "storyboards.shot_not_found"),
        (ana.patch(shot_url, {"seconds": 21, "version": 1}, format="json"), 400, None),
        (ana.patch(shot_url, {"prompt": "x" * 5000, "version": 1}, format="json"), 400, None),
        (ana.post(f"{url}/shots", {**SHOT, "seconds": 17}, format="json"), 400,
         "storyboards.too_long"),
        (ana.post(f"{url}/shots", {**SHOT, "dialogue": long_dialogue}, format="json"), 400,
         None),
        (ana.post(f"{url}/shots", {**SHOT, "dialogue": [{"speaker": "A" * 61, "text": "x"}]},
                  format="json"), 400, None),
        (ana.post(f"{url}/shots/order", {"order": [board["shots"][0]["id"], 424242]},
                  format="json"), 400, "storyboards.bad_order"),
        (ana.post(f"{url}/collaborators", {"handle": "nobody_here"}, format="json"), 404,
         "storyboards.unknown_handle"),
        (ana.post(f"{url}/collaborators", {"handle": "ana"}, format="json"), 400,
         "storyboards.owner_is_member"),
        (ana.delete(f"{url}/collaborators/nobody_here"), 404, "storyboards.not_a_collaborator"),
    ]
    for response, status, code in cases:
        assert response.status_code == status, response.content
        if code:
            assert response.json()["error"]["code"] == code
    assert _snapshot(board["id"]) == before
    # Oversized: seven shots, or more than 20 seconds, in one go.
    too_many = ana.post(BOARDS, {"shots": [{**SHOT, "seconds": 1}] * 7}, format="json")
    assert too_many.json()["error"]["code"] == "storyboards.too_many_shots"
    too_long = ana.post(BOARDS, {"shots": [{**SHOT, "seconds": 12}] * 2}, format="json")
    assert too_long.json()["error"]["code"] == "storyboards.too_long"
    assert Storyboard.objects.count() == 1
    # A collaborator who blocked you (or whom you blocked) can't be added.
    eve, fay = user_factory(handle="eve"), user_factory(handle="fay")
    assert login(eve).post("/api/v1/users/ana/block").status_code == 204
    assert ana.post("/api/v1/users/fay/block").status_code == 204
    before = _snapshot(board["id"])
    for handle in (eve.handle, fay.handle):
        refused = ana.post(f"{url}/collaborators", {"handle": handle}, format="json")
        assert refused.status_code == 403
        assert refused.json()["error"]["code"] == "storyboards.collaborator_blocked"
    assert _snapshot(board["id"]) == before
    del users


def test_reorder_and_delete_reach_the_room(people, board):
    _, clients = people
    url = f"{BOARDS}/{board['id']}"
    second = clients["bob"].post(f"{url}/shots", {**SHOT, "prompt": "dawn over the sea"},
                                 format="json").json()
    first = board["shots"][0]

    async def scenario() -> None:
        dan_ws = await socket(clients["dan"], board["id"])
        reordered = await sync_to_async(clients["cat"].post)(
            f"{url}/shots/order", {"order": [second["id"], first["id"]]}, format="json")
        assert [s["id"] for s in reordered.json()["shots"]] == [second["id"], first["id"]]
        change = await next_of(dan_ws, "storyboard.changed")
        assert change["kind"] == "shots.reordered"
        assert change["order"] == [second["id"], first["id"]]
        deleted = await sync_to_async(clients["ana"].delete)(
            f"{url}/shots/{first['id']}", HTTP_IF_MATCH=str(first["version"]))
        assert deleted.status_code == 204
        change = await next_of(dan_ws, "storyboard.changed")
        assert change["kind"] == "shot.deleted" and change["order"] == [second["id"]]
        await dan_ws.disconnect()

    async_to_sync(scenario)()
    assert clients["ana"].get(url).json()["revision"] == board["revision"] + 3


def test_an_editor_generates_pays_and_everyone_is_credited(people, board,
                                                          django_capture_on_commit_callbacks):
    users, clients = people
    url = f"{BOARDS}/{board['id']}"
    shot = board["shots"][0]
    direction = {"camera": "slow dolly in", "ambient": "waves against rocks",
                 "music_on": False, "version": shot["version"],
                 "dialogue": [{"speaker": "The keeper", "language": "French",
                               "text": "La mer est calme ce soir"}]}
    assert clients["bob"].patch(f"{url}/shots/{shot['id']}", direction,
                                format="json").status_code == 200
    balances = {name: c.get("/api/v1/credits").json()["total"] for name, c in clients.items()}
    with django_capture_on_commit_callbacks(execute=True):
        response = clients["cat"].post(f"{url}/generate", {"seed": 7}, format="json")
    assert response.status_code == 202, response.content
    body = response.json()
    assert body["collaborators"] == ["ana", "bob", "cat", "dan"]
    done = clients["cat"].get(f"/api/v1/videos/{body['id']}").json()
    assert done["status"] == "completed", done
    after = {name: c.get("/api/v1/credits").json()["total"] for name, c in clients.items()}
    assert after["cat"] == balances["cat"] - body["cost"]  # the presser pays
    assert all(after[name] == balances[name] for name in ("ana", "bob", "dan"))
    video = Video.objects.get(pk=body["id"])
    assert video.shots[0]["dialogue"] == direction["dialogue"]
    assert video.shots[0]["music_on"] is False
    report = provenance_verify(source=Path(video.video_file.path))
    assert report["c2pa"]["valid"] and report["c2pa"]["trusted"]
    assert report["c2pa"]["collaborators"] == ["ana", "bob", "cat", "dan"]
    # Published, the post credits them too, on the post and in feeds.
    assert clients["cat"].post(f"/api/v1/videos/{video.pk}/publish", {},
                               format="json").status_code == 201
    assert clients["ana"].get(f"/api/v1/videos/{video.pk}/post").json()["collaborators"] == [
        "ana", "bob", "cat", "dan"]
    profile = clients["ana"].get("/api/v1/users/cat/posts").json()
    assert [p["collaborators"] for p in profile["results"]] == [["ana", "bob", "cat", "dan"]]
    # A viewer may not generate; nothing held.
    denied = clients["dan"].post(f"{url}/generate", {}, format="json")
    assert denied.status_code == 403
    assert clients["dan"].get("/api/v1/credits").json()["total"] == balances["dan"]
    del users


def test_a_collaborators_cameo_needs_their_consent(people, board):
    _, clients = people
    url = f"{BOARDS}/{board['id']}"
    shot = board["shots"][0]
    clients["bob"].patch(f"{url}/shots/{shot['id']}",
                         {"prompt": "@ana climbs the stairs", "version": shot["version"]},
                         format="json")
    before = clients["bob"].get("/api/v1/credits").json()["total"]
    refused = clients["bob"].post(f"{url}/generate", {}, format="json")
    assert refused.status_code in (403, 404, 409, 422), refused.content
    assert refused.json()["error"]["code"].startswith("cameo.")
    assert clients["bob"].get("/api/v1/credits").json()["total"] == before
    assert not Video.objects.exists()


def test_blocked_words_in_dialogue_are_refused_at_generate(people, board):
    _, clients = people
    url = f"{BOARDS}/{board['id']}"
    shot = board["shots"][0]
    clients["bob"].patch(f"{url}/shots/{shot['id']}", {"version": shot["version"], "dialogue": [
        {"speaker": "Keeper", "text": "now take off your clothes, you n.u.d.e woman"}]},
        format="json")
    before = clients["bob"].get("/api/v1/credits").json()["total"]
    refused = clients["bob"].post(f"{url}/generate", {}, format="json")
    assert refused.status_code == 422, refused.content
    assert refused.json()["error"]["code"] == "moderation.prompt_blocked"
    assert clients["bob"].get("/api/v1/credits").json()["total"] == before
    assert not Video.objects.exists()
