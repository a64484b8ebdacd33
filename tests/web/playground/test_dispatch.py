"""The one action dispatch: REST and the websocket run every action through
actions.dispatch, and neither transport knows an action by name."""

from __future__ import annotations

import numpy as np
import pytest
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.test import APIClient

from nnweb.playground import actions, frames, store
from nnweb.playground.serializers import ActionSerializer

from .conftest import ask, communicator, new_session

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def echo_action():
    """A new action registered for the test only: both wires must serve it unchanged."""

    class EchoSerializer(ActionSerializer):
        n = serializers.IntegerField(required=False)

    @actions.action("echo_iteration", keeps_playing=True, serializer=EchoSerializer)
    def echo(s, msg, user):
        return {"type": "echo", "iteration": s.iteration, "n": msg.get("n")}

    yield echo
    del actions.ACTIONS["echo_iteration"]


def test_dispatch_refuses_unknown_actions_naming_the_field():
    s = new_session({"hidden": [2]})
    with pytest.raises(ValidationError, match="unknown action 'fly'") as e:
        actions.dispatch(s, {"action": "fly"})
    assert list(e.value.detail) == ["action"]
    with pytest.raises(ValidationError, match="JSON object"):
        actions.dispatch(s, ["step"])


def test_every_message_field_is_checked_by_its_actions_serializer():
    s = new_session({"hidden": [2]})
    with pytest.raises(ValidationError) as e:
        actions.dispatch(s, {"action": "set_param", "name": "W1", "index": [0, "x"], "value": 1})
    assert "index" in e.value.detail
    with pytest.raises(ValidationError) as e:
        actions.dispatch(s, {"action": "step", "sample": -1})
    assert "sample" in e.value.detail
    with pytest.raises(ValidationError) as e:  # settings checked against the session's own
        actions.dispatch(s, {"action": "configure", "config": {"activations": ["tanh", "relu"]}})
    assert "hidden" in str(e.value.detail["config"])


def test_dispatch_replies_say_what_the_transport_does():
    s = new_session({"hidden": [2]})
    assert actions.dispatch(s, {"action": "play"}).play == "start" and s.playing
    step = actions.dispatch(s, {"action": "step", "sample": 1})
    assert step.play is None and not s.playing  # stepping by hand pauses training
    frame = actions.dispatch(s, {"action": "frame"})
    assert frame.body is None and frame.frame[1]["out"].shape == (2, 64, 64)
    assert actions.dispatch(s, {"action": "pause"}).play == "stop"
    uses_db = {name for name, a in actions.ACTIONS.items() if a.uses_db}
    assert uses_db == {"configure", "add_point", "remove_point", "save"}


def test_a_new_action_is_served_by_rest_without_touching_the_view(echo_action):
    client = APIClient()
    r = client.post("/api/playground/sessions/", {"config": {"hidden": [2]}}, format="json")
    sid = frames.loads(r.content)["session"]
    r = client.post(
        f"/api/playground/sessions/{sid}/actions/",
        {"action": "echo_iteration", "n": 7, "id": "e"},
        format="json",
    )
    assert r.status_code == 200
    assert frames.loads(r.content) == {"type": "echo", "iteration": 0, "n": 7, "id": "e"}
    store.delete(sid)


@pytest.mark.asyncio
async def test_a_new_action_is_served_by_the_socket_too(echo_action):
    s = new_session({"hidden": [2]})
    comm = communicator(s.id)
    await comm.connect()
    await comm.receive_output(5)  # hello
    r = await ask(comm, {"action": "echo_iteration", "n": 3, "id": 9})
    assert r == {"type": "echo", "iteration": 0, "n": 3, "id": 9}
    # the same frame both ways: binary on the socket, base64 over REST
    await comm.send_to(text_data=frames.dumps({"action": "frame"}).decode())
    out = await comm.receive_output(5)
    meta, arrays = frames.decode_binary(out["bytes"])
    assert meta["type"] == "frame"
    W1 = s.net.get_params()["W1"].astype(np.float32)
    assert np.array_equal(arrays["W1"], W1)
    await comm.disconnect()
    store.delete(s.id)


def test_a_reused_serializer_checks_each_message_against_its_own_session():
    """Each thread reuses one serializer per action: a message is still checked against its
    own session's settings, and a refusal reads exactly as a new DRF serializer writes it."""
    two = new_session({"hidden": [2, 2], "activations": ["tanh", "tanh"]})
    one = new_session({"hidden": [2]})
    msg = {"action": "configure", "config": {"activations": ["tanh", "relu"]}}
    actions.dispatch(two, msg)  # two hidden layers: two activations fit
    with pytest.raises(ValidationError) as e:
        actions.dispatch(one, msg)
    assert "hidden" in str(e.value.detail["config"])
    assert actions.dispatch(two, msg).body["config"]["activations"] == ["tanh", "relu"]
    bad = {"action": "step", "sample": -1, "id": 3}
    actions.dispatch(one, {"action": "step", "sample": 0, "id": 2})
    with pytest.raises(ValidationError) as e:
        actions.dispatch(one, bad)
    form = actions.get(bad).serializer(data=bad, context={"anonymous": True, "base": one.config})
    assert not form.is_valid()
    assert e.value.detail == form.errors
