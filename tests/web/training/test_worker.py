"""End to end with REAL ``manage.py worker`` subprocesses sharing the test database.

pytest-django's test database is a file (SQLite: settings DATABASES TEST NAME, one per
test process) or the PostgreSQL test database when DATABASE_URL is set; the worker gets
a DATABASE_URL pointing at that same database and the same MEDIA_ROOT, so what the
test writes through the API the worker reads, and the worker's progress reaches the
websocket consumer running in this process. ``transaction=True`` makes every write
visible to the other process at once.

Accuracy floor: the MLP trained on iris (uploaded as CSV) must reach ≥ 0.85 accuracy
on its 30 held-out validation rows, and its ONNX export ≥ 0.85 on all 150 rows.
"""

from __future__ import annotations

import asyncio
import io
import json
import signal
import time

import numpy as np
import onnxruntime as ort
import pytest
from channels.routing import URLRouter
from channels.testing import WebsocketCommunicator

from nnweb.training.models import TrainingRun, WorkerBeat

from .conftest import iris_csv, worker_log

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

ACCURACY_FLOOR = 0.85


class WithUser:
    """ASGI wrapper putting a user into the websocket scope (no session needed)."""

    def __init__(self, inner, user):
        self.inner, self.user = inner, user

    async def __call__(self, scope, receive, send):
        return await self.inner({**scope, "user": self.user}, receive, send)


async def watch(user, run_id: int, timeout: float = 240.0) -> list[dict]:
    """Messages of ws/training/<id>/ until the run finishes."""
    from nnweb.routing import websocket_urlpatterns

    app = WithUser(URLRouter(websocket_urlpatterns), user)
    comm = WebsocketCommunicator(app, f"/ws/training/{run_id}/")
    connected, _ = await comm.connect()
    assert connected
    messages = []
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            msg = json.loads(await comm.receive_from(timeout=deadline - time.monotonic()))
            messages.append(msg)
            if msg["run"]["status"] in ("succeeded", "failed", "cancelled"):
                return messages
    finally:
        await comm.disconnect()
    raise AssertionError(f"run did not finish; last message: {messages[-1] if messages else None}")


def test_upload_train_watch_download_onnx(worker, instructor_api, student_api, student):
    f = io.BytesIO(iris_csv())
    f.name = "iris.csv"
    r = instructor_api.post(
        "/api/datasets/",
        {"file": f, "target": "species", "task": "classification", "visibility": "students"},
        format="multipart",
    )
    assert r.status_code == 201, r.content
    ds_id = r.json()["id"]

    r = student_api.post(
        "/api/training/runs/",
        {
            "dataset": ds_id,
            "network": {"type": "mlp", "hidden": [16], "activation": "tanh"},
            "optimizer": {"lr": 0.05, "batch_size": 4, "momentum": 0.9, "epochs": 50, "seed": 3},
        },
        format="json",
    )
    assert r.status_code == 201, r.content
    run_id = r.json()["id"]
    assert r.json()["status"] == "queued"

    proc = worker()
    messages = asyncio.run(watch(student, run_id))
    final = messages[-1]["run"]
    assert final["status"] == "succeeded", (final["reason"], worker_log(proc))
    assert messages[0]["type"] == "snapshot"
    # progress arrived over the socket: steps never go back and end at the total
    steps = [m["run"]["step"] for m in messages]
    assert steps == sorted(steps) and final["step"] == final["total_steps"] == 30 * 50
    assert final["progress"] == 1.0
    history = [p for m in messages for p in m["run"]["history"]]
    assert [p["epoch"] for p in history] == list(range(1, 51))  # each point sent once
    assert final["accuracy"] >= ACCURACY_FLOOR
    assert np.array(final["confusion"]).sum() == 30
    assert (
        final["result_model"] and final["result_model_url"] == f"/models/{final['result_model']}/"
    )

    r = student_api.get(f"/api/training/runs/{run_id}/model/")
    assert r.status_code == 200
    sess = ort.InferenceSession(b"".join(r.streaming_content), providers=["CPUExecutionProvider"])
    from sklearn.datasets import load_iris

    iris = load_iris()
    probs = sess.run(None, {sess.get_inputs()[0].name: iris.data.astype(np.float32)})[0]
    # class indices follow the sorted species names, which is sklearn's order too
    assert (probs.argmax(axis=1) == iris.target).mean() >= ACCURACY_FLOOR


def test_worker_killed_mid_run_is_failed_by_another_worker(worker, instructor_api, settings):
    """kill -9 mid-run: the surviving worker's sweep fails the run and closes its task row
    within the heartbeat timeout (NNWEB_TRAIN_HEARTBEAT_TIMEOUT), with nobody viewing the
    run, and the run stops counting against the quota at once."""
    from django_tasks_db.models import DBTaskResult

    timeout = 5
    settings.NNWEB_LIMITS = {
        **settings.NNWEB_LIMITS,
        "TRAIN_HEARTBEAT_TIMEOUT": timeout,
        "TRAIN_MAX_ACTIVE_INSTRUCTOR": 1,
    }
    env = {"NNWEB_TRAIN_HEARTBEAT_TIMEOUT": str(timeout)}
    other = worker(queue="spare", **env)  # serves another queue: only its sweep matters here
    r = instructor_api.post(
        "/api/training/runs/",
        {
            "builtin": "digits",
            "network": {
                "type": "cnn",
                "conv": [{"filters": 16, "kernel": 3, "pool": 2}],
                "hidden": [64],
            },
            "optimizer": {"lr": 0.05, "batch_size": 8, "epochs": 400},
        },
        format="json",
    )
    assert r.status_code == 201, r.content
    run_id = r.json()["id"]
    proc = worker(**env)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        run = TrainingRun.objects.get(pk=run_id)
        if run.status == "running" and run.step > 0:
            break
        assert run.status in ("queued", "running"), (run.status, run.reason, worker_log(proc))
        time.sleep(0.2)
    else:
        raise AssertionError(f"the run never started: {worker_log(proc)}")
    # alive and beating: the sweep leaves it alone
    assert instructor_api.get(f"/api/training/runs/{run_id}/").json()["status"] == "running"
    beats = set(WorkerBeat.objects.values_list("worker_id", flat=True))
    killed_id = DBTaskResult.objects.get(pk=TrainingRun.objects.get(pk=run_id).task_id).worker_ids[
        -1
    ]
    assert killed_id in beats and len(beats) == 2, beats  # both workers write their beat

    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    killed = time.monotonic()
    while time.monotonic() - killed < timeout + 10:
        run = TrainingRun.objects.get(pk=run_id)  # ORM reads only: no view sweeps
        if run.status != "running":
            break
        time.sleep(0.2)
    took = time.monotonic() - killed
    assert run.status == "failed", (run.status, worker_log(other))
    assert "worker stopped responding" in run.reason and "start it again" in run.reason
    assert run.finished_at is not None
    assert took < timeout + 5, took  # within the timeout (plus one sweep period and polling)
    task = DBTaskResult.objects.get(pk=run.task_id)
    assert task.status == "FAILED" and task.finished_at is not None
    assert "WorkerLost" in task.exception_class_path
    # the survivor's sweep forgets the dead worker's beat
    deadline = time.monotonic() + timeout + 5
    while killed_id in WorkerBeat.objects.values_list("worker_id", flat=True):
        assert time.monotonic() < deadline, "the dead worker's beat was never swept"
        time.sleep(0.2)
    # the dead run no longer counts: a new run is accepted at once (quota 1 active run)
    r = instructor_api.post(
        "/api/training/runs/", {"builtin": "iris", "optimizer": {"epochs": 1}}, format="json"
    )
    assert r.status_code == 201, r.content
    assert instructor_api.get(f"/api/training/runs/{run_id}/").json()["reason"] == run.reason
