"""The playground's replies match their schema components (nnweb.playground.messages).

Real replies, made by actions.dispatch as the REST view and the socket do, are written as the
socket writes them (orjson, NumPy arrays included) and validated against the published
components, so the documented shapes (and the front end's generated types) cannot drift from
what is sent."""

from __future__ import annotations

import jsonschema
import pytest

from nnweb.playground import actions, frames
from nnweb.playground.session import PlaygroundSession
from tests.web.schema_checks import check

pytestmark = pytest.mark.django_db


def check_sent(components, name: str, body: dict) -> None:
    check(components, name, frames.loads(frames.dumps(body)))  # exactly what goes on the wire


AFTER_STEPPING = [  # the training actions and the checks, after stepping through every stage
    ({"action": "select", "samples": [0, 1, 2]}, "PlaygroundStageMessage"),
    ({"action": "step"}, "PlaygroundStageMessage"),
    ({"action": "batch"}, "PlaygroundStageMessage"),
    ({"action": "epoch"}, "PlaygroundMetricsMessage"),
    ({"action": "gradcheck"}, "PlaygroundGradcheckMessage"),
    ({"action": "reset"}, "PlaygroundStateMessage"),
]


@pytest.mark.parametrize(
    "config",
    [
        {"dataset": "xor", "hidden": [3], "seed": 1},
        {
            "dataset": "sine",
            "problem": "regression",
            "hidden": [4, 2],
            "activations": ["tanh", "relu"],
            "seed": 2,
        },
    ],
    ids=["classification", "regression"],
)
def test_every_reply_matches_its_component(components, config):
    session = PlaygroundSession.create(config)
    L = len(config["hidden"]) + 1
    stepping = [({"action": "next"}, "PlaygroundStageMessage")] * (2 * L + 1)  # fwd, bwd, update
    for msg, name in [({"action": "state"}, "PlaygroundStateMessage"), *stepping, *AFTER_STEPPING]:
        reply = actions.dispatch(session, dict(msg))
        assert (
            reply.body is not None
            and reply.body["type"]
            == name.removeprefix("Playground").removesuffix("Message").lower()
        ), (msg, reply.body.get("type"))
        check_sent(components, name, reply.body)


def test_a_wrong_shape_is_refused(components):
    body = actions.dispatch(PlaygroundSession.create({"dataset": "xor"}), {"action": "state"}).body
    body["stage"]["phase"] = "sideways"
    with pytest.raises(jsonschema.ValidationError):
        check_sent(components, "PlaygroundStateMessage", body)
