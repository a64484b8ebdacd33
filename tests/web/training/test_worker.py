"""End to end with a REAL ``manage.py db_worker`` subprocess sharing the test database.

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
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

import numpy as np
import onnxruntime as ort
import pytest
from channels.routing import URLRouter
from channels.testing import WebsocketCommunicator
from django.db import connection

from nnweb.training.models import TrainingRun

from .conftest import iris_csv

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

ACCURACY_FLOOR = 0.85
ROOT = Path(__file__).resolve().parents[3]


def database_url() -> str:
    s = connection.settings_dict
    if connection.vendor == "sqlite":
        name = s["NAME"]
        if not name or ":memory:" in str(name) or "mode=memory" in str(name):
            pytest.fail("the SQLite test database must be a file (settings DATABASES TEST NAME)")
        return f"sqlite:///{name}"
    if connection.vendor == "postgresql":
        auth = quote(s.get("USER") or "", safe="")
        if s.get("PASSWORD"):
            auth += ":" + quote(s["PASSWORD"], safe="")
        return (
            f"postgres://{auth}@{s.get('HOST') or '127.0.0.1'}:{s.get('PORT') or 5432}/{s['NAME']}"
        )
    pytest.skip(f"no worker test for the {connection.vendor} backend")


@pytest.fixture
def worker(transactional_db, _media, tmp_path):
    """Start db_worker subprocesses on the test database; kill them all at teardown."""
    procs: list[subprocess.Popen] = []

    def start() -> subprocess.Popen:
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "nnweb.settings",
            "DATABASE_URL": database_url(),
            "MEDIA_ROOT": str(_media),
            "PYTHONUNBUFFERED": "1",
        }
        log = open(tmp_path / f"worker-{len(procs)}.log", "wb")  # noqa: SIM115
        proc = subprocess.Popen(
            [
                sys.executable,
                "manage.py",
                "db_worker",
                "--queue-name",
                "*",
                "--interval",
                "0.2",
                "--no-startup-delay",
                "--no-reload",
                "--verbosity",
                "2",
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        proc.log_path = tmp_path / f"worker-{len(procs)}.log"
        procs.append(proc)
        return proc

    yield start
    for proc in procs:
        if proc.poll() is None:
            proc.kill()
        proc.wait(timeout=30)


def worker_log(proc) -> str:
    try:
        return proc.log_path.read_text(errors="replace")[-3000:]
    except OSError:
        return ""


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


def test_worker_killed_mid_run_is_marked_failed(worker, instructor_api, settings):
    settings.NNWEB_LIMITS = {**settings.NNWEB_LIMITS, "TRAIN_HEARTBEAT_TIMEOUT": 5}
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
    proc = worker()
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

    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    time.sleep(6)
    body = instructor_api.get(f"/api/training/runs/{run_id}/").json()
    assert body["status"] == "failed"
    assert "worker stopped responding" in body["reason"]
    assert TrainingRun.objects.get(pk=run_id).finished_at is not None
