"""Websocket messages are schema components, and what the consumers send matches them.

The components come from nnweb.core.ws_schema (a drf-spectacular postprocessing hook); the
front end's types are generated from them. Here real messages, made by the code that sends
them, are validated against the published schema, so the documented shape cannot drift from
the sent one."""

from __future__ import annotations

import json

import jsonschema
import pytest
from asgiref.sync import sync_to_async
from channels.routing import URLRouter
from channels.testing import WebsocketCommunicator

from nnweb.core.errors import ws_error
from nnweb.routing import websocket_urlpatterns
from nnweb.training import services
from nnweb.training.tasks import Trainer
from tests.web.schema_checks import check

MESSAGES = (
    "WsErrorMessage",
    "PingClientMessage",
    "PingServerMessage",
    "TrainingRunMessage",
    "TrainingClientMessage",
    "LiveTilesMessage",
)


def test_every_message_is_a_named_component(components):
    schemas = components["schemas"]
    assert [m for m in MESSAGES if m not in schemas] == []
    assert schemas["TrainingRunMessage"]["properties"]["run"] == {
        "$ref": "#/components/schemas/Run"
    }
    assert schemas["TrainingRunMessage"]["properties"]["type"]["enum"] == ["snapshot", "progress"]


def test_the_error_message_matches_its_component(components):
    check(components, "WsErrorMessage", ws_error("invalid", "Expected an object.", "type"))
    with pytest.raises(jsonschema.ValidationError):
        check(components, "WsErrorMessage", {"type": "error", "error": "old shape"})


@pytest.mark.django_db(transaction=True)
async def test_training_socket_messages_match_their_component(components, student):
    run = await sync_to_async(services.create_run)(
        student,
        builtin="xor",
        network={"type": "mlp", "hidden": [4]},
        optimizer={"lr": 0.1, "batch_size": 32, "epochs": 2},
        enqueue=False,
    )
    await sync_to_async(Trainer(run.pk).run)()  # a finished run: history, confusion, model

    class WithUser:
        async def __call__(self, scope, receive, send):
            app = URLRouter(websocket_urlpatterns)
            return await app({**scope, "user": student}, receive, send)

    comm = WebsocketCommunicator(WithUser(), f"/ws/training/{run.pk}/")
    assert (await comm.connect())[0]
    snapshot = json.loads(await comm.receive_from(timeout=10))
    assert snapshot["type"] == "snapshot" and len(snapshot["run"]["history"]) == 2
    check(components, "TrainingRunMessage", snapshot)
    check(components, "TrainingClientMessage", {"type": "refresh"})
    await comm.send_to(text_data=json.dumps({"type": "nonsense"}))
    check(components, "WsErrorMessage", json.loads(await comm.receive_from(timeout=10)))
    await comm.disconnect()


@pytest.mark.django_db(transaction=True)
async def test_ping_messages_match_their_components(components):
    from django.core.cache import cache

    from nnweb.asgi import application

    await sync_to_async(cache.clear)()  # other tests' socket counts (SocketGuard)
    comm = WebsocketCommunicator(
        application, "/ws/core/ping/", headers=[(b"origin", b"http://127.0.0.1:8000")]
    )
    assert (await comm.connect())[0]
    check(components, "PingServerMessage", await comm.receive_json_from())
    ping = {"type": "ping", "id": 3}
    check(components, "PingClientMessage", ping)
    await comm.send_json_to(ping)
    check(components, "PingServerMessage", await comm.receive_json_from())
    await comm.disconnect()


@pytest.mark.django_db
def test_a_live_lab_tile_matches_its_component(components, student):
    from nnweb.classes import live
    from nnweb.classes import playground_api as playground

    session = playground.open_session({"dataset": "xor", "hidden": [4]}, user=student)
    check(components, "LiveTilesMessage", {"type": "tiles", "tiles": [live.tile(student, session)]})
