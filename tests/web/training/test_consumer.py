"""ws/training/<id>/: who may connect, snapshot then progress, cancel over the socket."""

from __future__ import annotations

import json

import pytest
from asgiref.sync import sync_to_async
from channels.routing import URLRouter
from channels.testing import WebsocketCommunicator
from django.db.models import F

from nnweb.routing import websocket_urlpatterns
from nnweb.training import services
from nnweb.training.models import TrainingRun

pytestmark = pytest.mark.django_db(transaction=True)


class WithUser:
    def __init__(self, inner, user):
        self.inner, self.user = inner, user

    async def __call__(self, scope, receive, send):
        return await self.inner({**scope, "user": self.user}, receive, send)


def communicator(user, run_id):
    app = WithUser(URLRouter(websocket_urlpatterns), user)
    return WebsocketCommunicator(app, f"/ws/training/{run_id}/")


async def test_owner_gets_snapshot_then_progress_and_can_cancel(student):
    run = await sync_to_async(services.create_run)(student, builtin="iris", enqueue=False)
    comm = communicator(student, run.pk)
    connected, _ = await comm.connect()
    assert connected
    first = json.loads(await comm.receive_from(timeout=10))
    assert first["type"] == "snapshot" and first["run"]["status"] == "queued"

    def progress():
        TrainingRun.objects.filter(pk=run.pk).update(
            status="running", step=7, history=[{"epoch": 1, "step": 7}], version=F("version") + 1
        )

    await sync_to_async(progress)()
    msg = json.loads(await comm.receive_from(timeout=10))
    assert msg["type"] == "progress" and msg["run"]["step"] == 7
    assert msg["run"]["history"] == [{"epoch": 1, "step": 7}]

    await comm.send_to(text_data=json.dumps({"type": "cancel"}))
    msg = json.loads(await comm.receive_from(timeout=10))
    assert msg["run"]["cancel_requested"] is True and msg["run"]["history"] == []
    await comm.disconnect()


async def test_other_student_is_refused(student, other_student):
    run = await sync_to_async(services.create_run)(student, builtin="iris", enqueue=False)
    comm = communicator(other_student, run.pk)
    connected, _ = await comm.connect()
    msg = json.loads(await comm.receive_from(timeout=10))
    assert msg["type"] == "error" and msg["errors"][0]["code"] == "not_found"
    assert set(msg["errors"][0]) == {"code", "detail", "attr"}
    out = await comm.receive_output(timeout=10)
    assert out["type"] == "websocket.close" and out["code"] == 4403


async def test_refresh_resends_the_whole_run_even_when_nothing_changed(student):
    run = await sync_to_async(services.create_run)(student, builtin="iris", enqueue=False)
    comm = communicator(student, run.pk)
    assert (await comm.connect())[0]
    first = json.loads(await comm.receive_from(timeout=10))
    await comm.send_to(text_data=json.dumps({"type": "refresh"}))
    again = json.loads(await comm.receive_from(timeout=10))
    assert again["type"] == "snapshot" and again["run"]["version"] == first["run"]["version"]
    await comm.disconnect()


async def test_bad_messages_get_the_shared_error_shape(student):
    run = await sync_to_async(services.create_run)(student, builtin="iris", enqueue=False)
    comm = communicator(student, run.pk)
    assert (await comm.connect())[0]
    await comm.receive_from(timeout=10)
    for sent, code in [
        ({"text_data": "{not json"}, "parse_error"),
        ({"text_data": "[" * 20_000}, "parse_error"),  # under the size cap
        ({"text_data": json.dumps({"type": "explode"})}, "invalid"),
        ({"text_data": "[1, 2]"}, "invalid"),
        ({"bytes_data": b"\x00"}, "binary"),
    ]:
        await comm.send_to(**sent)
        msg = json.loads(await comm.receive_from(timeout=10))
        assert msg == {"type": "error", "errors": [msg["errors"][0]]}
        assert msg["errors"][0]["code"] == code, (sent, msg)
    await comm.disconnect()


async def test_open_run_sockets_per_user_are_capped(student, settings):
    from django.core.cache import cache

    settings.NNWEB_LIMITS = {**settings.NNWEB_LIMITS, "WS_MAX_SOCKETS_PER_CLIENT": 2}
    await sync_to_async(cache.clear)()
    run = await sync_to_async(services.create_run)(student, builtin="iris", enqueue=False)
    open_ = []
    for _ in range(2):
        comm = communicator(student, run.pk)
        assert (await comm.connect())[0]
        await comm.receive_from(timeout=10)
        open_.append(comm)
    extra = communicator(student, run.pk)
    connected, code = await extra.connect()
    assert not connected and code == 4429
    await open_.pop().disconnect()  # one closes: a new one may open
    again = communicator(student, run.pk)
    assert (await again.connect())[0]
    for comm in [*open_, again]:
        await comm.disconnect()


async def test_an_oversize_message_closes_the_run_socket_with_a_reason(student, settings):
    settings.NNWEB_LIMITS = {**settings.NNWEB_LIMITS, "WS_MAX_MESSAGE_BYTES": 1000}
    run = await sync_to_async(services.create_run)(student, builtin="iris", enqueue=False)
    comm = communicator(student, run.pk)
    assert (await comm.connect())[0]
    await comm.receive_from(timeout=10)
    await comm.send_to(text_data=json.dumps({"type": "refresh", "pad": "x" * 5000}))
    closed = await comm.receive_output(timeout=10)
    assert closed["type"] == "websocket.close" and closed["code"] == 4413
    assert "the limit is 1000" in closed["reason"]
