"""Classroom links: the controls a link hides are refused by the server too (REST and socket),
the refusal survives the session's trip through the shared cache, and sessions not opened
from a link are unaffected."""

from __future__ import annotations

import pytest
from channels.db import database_sync_to_async
from rest_framework.test import APIClient

from nnweb.playground import classroom, frames, store

from .conftest import ask, attr_of, code_of, communicator, detail_of, new_session

XOR = {"dataset": "xor", "hidden": [3], "activations": ["tanh"], "seed": 3}
HIDE = ["backward", "data_editor", "hidden", "play"]


def create(client: APIClient, body: dict):
    r = client.post("/api/playground/sessions/", body, format="json")
    return r.status_code, frames.loads(r.content)


def act(client: APIClient, sid: str, msg: dict):
    r = client.post(f"/api/playground/sessions/{sid}/actions/", msg, format="json")
    return r.status_code, frames.loads(r.content)


def make_link(instructor) -> str:
    return classroom.create_classroom_link(instructor, XOR, HIDE, "XOR")["token"]


@pytest.mark.django_db
def test_rest_refuses_hidden_actions_and_settings(instructor, api_client):
    token = make_link(instructor)
    # a hidden setting keeps the link's value even if the student sends another one
    code, st = create(api_client, {"classroom": token, "config": {"hidden": [5], "lr": 0.2}})
    assert code == 201
    assert st["config"]["hidden"] == [3] and st["config"]["lr"] == 0.2
    sid = st["session"]

    for _ in range(2):  # visible: the forward pass
        code, body = act(api_client, sid, {"action": "forward"})
        assert code == 200 and body["type"] == "stage"
    for msg in ({"action": "backward"}, {"action": "next"}):  # next would go backward
        code, body = act(api_client, sid, msg)
        assert code == 403 and code_of(body) == "forbidden"
        assert "'backward'" in detail_of(body)
        assert "instructor's classroom link turned off" in detail_of(body)
    code, body = act(api_client, sid, {"action": "add_point", "point": [0.1, 0.1, 0]})
    assert code == 403 and "'data_editor'" in detail_of(body)
    code, body = act(api_client, sid, {"action": "play"})
    assert code == 403 and "'play'" in detail_of(body)
    code, body = act(api_client, sid, {"action": "configure", "config": {"hidden": [4]}})
    assert code == 403 and attr_of(body) == "config.hidden"
    assert "classroom link turned it off" in detail_of(body)
    # visible settings and actions still work
    code, body = act(api_client, sid, {"action": "configure", "config": {"lr": 0.05}})
    assert code == 200 and body["config"]["lr"] == 0.05
    code, body = act(api_client, sid, {"action": "step"})
    assert code == 200


@pytest.mark.django_db
def test_hidden_controls_survive_the_cache(instructor, api_client):
    token = make_link(instructor)
    code, st = create(api_client, {"classroom": token, "config": {}})
    sid = st["session"]
    store.local.discard(sid)  # another process takes it over from the cache
    code, body = act(api_client, sid, {"action": "state"})
    assert code == 200
    assert store.local.get(sid).hidden_controls == frozenset(HIDE)
    code, body = act(api_client, sid, {"action": "remove_point", "index": 0})
    assert code == 403 and "'data_editor'" in detail_of(body)
    store.local.discard(sid)
    store.delete(sid)


@pytest.mark.django_db
def test_sessions_without_a_link_are_unaffected(api_client):
    code, st = create(api_client, {"config": XOR})
    sid = st["session"]
    assert store.local.get(sid).hidden_controls == frozenset()
    for action in ("forward", "forward", "backward", "backward", "update"):
        code, _ = act(api_client, sid, {"action": action})
        assert code == 200
    code, body = act(api_client, sid, {"action": "configure", "config": {"hidden": [4]}})
    assert code == 200 and body["config"]["hidden"] == [4]


def test_unknown_classroom_token(db, api_client):
    code, body = create(api_client, {"classroom": "nope", "config": {}})
    assert code == 404 and code_of(body) == "not_found"


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_websocket_refuses_hidden_actions(instructor):
    token = await database_sync_to_async(make_link)(instructor)
    session = await database_sync_to_async(classroom.open_classroom)(None, token, {})
    comm = communicator(session.id)
    connected, _ = await comm.connect()
    assert connected
    assert frames.loads((await comm.receive_output(5))["text"])["type"] == "hello"
    for i in range(2):
        reply = await ask(comm, {"action": "forward", "id": i})
        assert reply["type"] == "stage" and reply["id"] == i
    reply = await ask(comm, {"action": "backward", "id": 7})
    assert reply["type"] == "error" and code_of(reply) == "forbidden" and reply["id"] == 7
    assert "'backward'" in detail_of(reply) and "classroom link" in detail_of(reply)
    reply = await ask(comm, {"action": "play"})
    assert reply["type"] == "error" and "'play'" in detail_of(reply)
    reply = await ask(comm, {"action": "configure", "config": {"hidden": [2]}})
    assert reply["type"] == "error" and attr_of(reply) == "config.hidden"
    reply = await ask(comm, {"action": "batch"})
    assert reply["type"] == "stage"
    await comm.disconnect()
    store.local.discard(session.id)
    store.delete(session.id)


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_websocket_session_without_a_link_is_unaffected():
    session = new_session(XOR)
    comm = communicator(session.id)
    await comm.connect()
    await comm.receive_output(5)
    for action in ("forward", "forward", "backward"):
        reply = await ask(comm, {"action": action})
        assert reply["type"] == "stage"
    reply = await ask(comm, {"action": "play"})
    assert reply["type"] != "error"
    reply = await ask(comm, {"action": "pause"})
    await comm.disconnect()
    store.local.discard(session.id)
