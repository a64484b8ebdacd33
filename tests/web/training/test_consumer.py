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
    assert msg["type"] == "error"
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
