"""The live lab view over the channel layer: tiles from students' playgrounds, send to class."""

from __future__ import annotations

import asyncio
import json

import pytest
from channels.db import database_sync_to_async
from channels.routing import URLRouter
from channels.testing.websocket import WebsocketCommunicator
from django.contrib.auth.models import AnonymousUser

from nnweb.classes import live
from nnweb.classes import playground_api as playground
from nnweb.playground import frames

from .conftest import client_for, open_session

pytestmark = pytest.mark.django_db(transaction=True)


class _WithUser:
    def __init__(self, app, user):
        self.app, self.user = app, user

    async def __call__(self, scope, receive, send):
        return await self.app(dict(scope, user=self.user or AnonymousUser()), receive, send)


def _comm(path: str, user) -> WebsocketCommunicator:
    from nnweb.routing import websocket_urlpatterns

    return WebsocketCommunicator(_WithUser(URLRouter(websocket_urlpatterns), user), path)


async def _json(comm, want: str, timeout: float = 10.0) -> dict:
    """The next JSON message of type ``want`` (binary frames and other types skipped)."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        left = deadline - asyncio.get_running_loop().time()
        out = await comm.receive_output(max(left, 0.01))
        if out["type"] == "websocket.close":
            raise AssertionError(f"closed: {out}")
        if out.get("text") is None:
            continue
        msg = json.loads(out["text"])
        if msg.get("type") == want:
            return msg


async def _tiles_until(comm, done, timeout: float = 10.0) -> dict[int, dict]:
    """Latest tile per student from the live view's messages until ``done(tiles)``."""
    deadline = asyncio.get_running_loop().time() + timeout
    tiles: dict[int, dict] = {}
    while not done(tiles):
        msg = await _json(comm, "tiles", deadline - asyncio.get_running_loop().time())
        tiles.update({t["student"]: t for t in msg["tiles"]})
    return tiles


@pytest.fixture
def fast_publish(monkeypatch):
    monkeypatch.setattr(live, "PUBLISH_SECONDS", 0.0)


async def test_tiles_reach_the_instructor_live_view(
    klass, instructor, student, other_student, fast_publish
):
    await database_sync_to_async(klass.students.add)(other_student)
    s1 = open_session(student, {"dataset": "xor", "hidden": [4]})
    s2 = open_session(other_student, {"dataset": "circle", "hidden": [3]})
    view = _comm(f"/ws/classes/{klass.pk}/live/", instructor)
    assert (await view.connect())[0]
    first = await _json(view, "tiles")
    assert first["tiles"] == []  # nobody had a playground open
    pg1 = _comm(f"/ws/playground/{s1.id}/", student)
    pg2 = _comm(f"/ws/playground/{s2.id}/", other_student)
    assert (await pg1.connect())[0] and (await pg2.connect())[0]
    seen = await _tiles_until(view, lambda tiles: len(tiles) == 2)
    assert seen[student.pk]["username"] == "alice" and seen[student.pk]["dataset"] == "xor"
    assert seen[other_student.pk]["hidden"] == [3]
    thumb = seen[student.pk]["thumb"]
    assert thumb["kind"] == "classes" and thumb["side"] == 16 and len(thumb["data"]) == 344
    # the student trains: the tile follows, with the server's own numbers
    await pg1.send_to(text_data=frames.dumps({"action": "epoch", "id": 1}).decode())
    tiles = await _tiles_until(
        view, lambda tiles: tiles.get(student.pk, {}).get("iteration", 0) > 0
    )
    t = tiles[student.pk]
    assert t["iteration"] == s1.iteration
    assert t["test_accuracy"] == pytest.approx(s1.evaluate()["test_acc"])
    # a later live view starts from the latest tiles in the cache
    view2 = _comm(f"/ws/classes/{klass.pk}/live/", instructor)
    await view2.connect()
    again = await _json(view2, "tiles")
    assert {x["student"] for x in again["tiles"]} == {student.pk, other_student.pk}
    for c in (pg1, pg2, view, view2):
        await c.disconnect()


async def test_a_student_who_joins_after_the_view_opened_gets_a_tile(
    klass, instructor, other_student, fast_publish
):
    """The live view lists the roster at connect; a student who joins later and then opens
    their playground still reaches it (the page adds their tile)."""
    view = _comm(f"/ws/classes/{klass.pk}/live/", instructor)
    assert (await view.connect())[0]
    assert (await _json(view, "tiles"))["tiles"] == []
    await database_sync_to_async(klass.students.add)(other_student)
    s = open_session(other_student, {"dataset": "xor", "hidden": [2]})
    pg = _comm(f"/ws/playground/{s.id}/", other_student)
    assert (await pg.connect())[0]
    seen = await _tiles_until(view, lambda tiles: other_student.pk in tiles)
    assert seen[other_student.pk]["username"] == "bob"
    for c in (pg, view):
        await c.disconnect()


@pytest.mark.parametrize("who", ["student", "other_instructor", "anonymous"])
async def test_live_view_only_for_the_class_instructors(who, klass, actors):
    view = _comm(f"/ws/classes/{klass.pk}/live/", actors[who])
    await view.connect()
    msg = await _json(view, "error")
    assert "Only the instructors" in msg["errors"][0]["detail"]
    out = await view.receive_output(5)
    assert out == {"type": "websocket.close", "code": 4403}


async def test_send_to_class_reaches_only_its_students(
    klass, other_class, instructor, student, other_student
):
    link = await database_sync_to_async(playground.create_classroom_link)(
        instructor, {"dataset": "spiral", "hidden": [6]}, ["dataset"], "Spirals"
    )
    mine = open_session(student, {"dataset": "xor"})
    theirs = open_session(other_student, {"dataset": "xor"})
    pg1 = _comm(f"/ws/playground/{mine.id}/", student)
    pg2 = _comm(f"/ws/playground/{theirs.id}/", other_student)
    await pg1.connect()
    await pg2.connect()
    await _json(pg1, "hello")
    await _json(pg2, "hello")

    def send():
        return client_for(instructor).post(
            f"/api/classes/{klass.pk}/send/", {"link": link["token"]}, format="json"
        )

    resp = await database_sync_to_async(send)()
    assert resp.status_code == 200, resp.content
    got = await _json(pg1, "class_setup")
    assert got["url"] == f"/playground/c/{link['token']}/"
    assert got["hide"] == ["dataset"] and got["title"] == "Spirals"
    assert await pg2.receive_nothing(0.5)  # bob is in another class
    await pg1.disconnect()
    await pg2.disconnect()


def test_send_to_class_refuses_foreign_links(klass, instructor, other_instructor, student):
    theirs = playground.create_classroom_link(other_instructor, {"dataset": "xor"}, [], "")
    c = client_for(instructor)
    resp = c.post(f"/api/classes/{klass.pk}/send/", {"link": theirs["token"]}, format="json")
    assert resp.status_code == 400 and "instructors" in resp.content.decode()
    resp = c.post(f"/api/classes/{klass.pk}/send/", {"link": "nope"}, format="json")
    assert resp.status_code == 400 and "nope" in resp.content.decode()
    for user, code in ((student, 403), (other_instructor, 404)):
        r = client_for(user).post(
            f"/api/classes/{klass.pk}/send/", {"link": theirs["token"]}, format="json"
        )
        assert r.status_code == code


def test_snapshot_of_a_students_session(klass, instructor, other_instructor, student):
    session = open_session(student, {"dataset": "xor", "hidden": [5]})
    playground.act(session, {"action": "epoch"})
    live.store_tile(live.tile(student, session))
    url = f"/api/classes/{klass.pk}/live/{student.pk}/"
    snap = client_for(instructor).get(url).json()
    assert snap["open"] is True and snap["config"]["hidden"] == [5]
    assert snap["metrics"]["iteration"] == session.iteration
    assert snap["network"]["sizes"][1] == 5
    assert client_for(other_instructor).get(url).status_code == 404
    assert client_for(student).get(url).status_code == 403
    tiles = client_for(instructor).get(f"/api/classes/{klass.pk}/live/").json()["tiles"]
    assert [t["student"] for t in tiles] == [student.pk]


async def test_only_a_class_students_playground_subscribes_to_the_channel_layer(
    klass, student, other_student, settings
):
    """Sockets that need no group skip the channel layer (and its blocking receive at
    shutdown): an anonymous visitor's and a student's in no class; a class student's joins.
    Counted on the in-memory layer, which lists its channels (also when the suite runs with
    Redis: what is checked is whether the consumer asks for a channel at all)."""
    from channels.layers import get_channel_layer

    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

    layer = get_channel_layer()

    async def subscribed(user) -> bool:
        session = open_session(user, {"dataset": "xor", "hidden": [2]})
        before = set(layer.channels)
        comm = _comm(f"/ws/playground/{session.id}/", user)
        assert (await comm.connect())[0]
        await _json(comm, "hello")
        new = set(layer.channels) - before
        await comm.disconnect()
        return bool(new)

    assert not await subscribed(None)
    assert not await subscribed(other_student)  # signed in, in no class
    assert await subscribed(student)  # in klass: receives "send to class"


@pytest.mark.parametrize(
    "config",
    [
        {"dataset": "xor", "hidden": [4]},
        {"dataset": "spiral", "hidden": [6, 3]},
        {"dataset": "moons", "hidden": [5]},
    ],
    ids=["xor", "spiral two layers", "moons"],
)
def test_thumbnail_forwards_only_its_points_and_matches_the_heatmap(student, config):
    """A tile forwards THUMB_SIDE^2 points, not the heatmap's whole grid; its picture is the
    heatmap's own outputs at those points."""
    import base64

    import numpy as np

    session = open_session(student, config)
    playground.act(session, {"action": "epoch"})
    out, _ = session.grid_outputs()  # the heatmap: (K, G, G)
    step = out.shape[1] // live.THUMB_SIDE
    small = out[:, ::step, ::step][:, : live.THUMB_SIDE, : live.THUMB_SIDE]
    want = small[1] if len(small) == 2 else small.argmax(0) / (len(small) - 1)
    thumb = live.thumbnail(session)
    got = np.frombuffer(base64.b64decode(thumb["data"]), dtype=np.uint8).reshape(16, 16)
    expected = np.clip(np.round(want * 255), 0, 255).astype(np.uint8)
    assert thumb["kind"] == "classes"
    assert np.abs(got.astype(int) - expected.astype(int)).max() <= 1
    assert len(live._thumb_rows(len(session.grid_inputs))) == live.THUMB_SIDE**2


async def test_a_process_sends_each_class_one_message_per_tick_with_the_latest_tiles(settings):
    """Tiles published within a tick leave as one group message per class, the latest tile
    of each student only, and are in the cache before the message is sent."""
    from channels.layers import get_channel_layer

    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    layer = get_channel_layer()
    views = {cid: await layer.new_channel() for cid in (901, 902)}
    for cid, channel in views.items():
        await layer.group_add(live.live_group(cid), channel)
    box = live.outbox(layer)
    box.put([901, 902], {"student": 1, "iteration": 1})
    box.put([901], {"student": 2, "iteration": 5})
    box.put([901, 902], {"student": 1, "iteration": 2})  # replaces iteration 1
    got = await asyncio.wait_for(layer.receive(views[901]), 2)
    assert got["type"] == "classes.tiles"
    assert sorted((t["student"], t["iteration"]) for t in got["tiles"]) == [(1, 2), (2, 5)]
    other = await asyncio.wait_for(layer.receive(views[902]), 2)
    assert [(t["student"], t["iteration"]) for t in other["tiles"]] == [(1, 2)]
    assert live.latest_tile(1)["iteration"] == 2 and live.latest_tile(2)["iteration"] == 5
    with pytest.raises(TimeoutError):  # nothing else was queued for the class
        await asyncio.wait_for(layer.receive(views[901]), 2 * live.TICK_SECONDS)
    box.put([901], {"student": 2, "iteration": 6})  # a later tile starts the next tick
    again = await asyncio.wait_for(layer.receive(views[901]), 2)
    assert [(t["student"], t["iteration"]) for t in again["tiles"]] == [(2, 6)]
