"""Embedded mode (SQLite) with another process holding the write lock for a long time.

A real ``manage.py worker`` trains while a separate process holds ``BEGIN IMMEDIATE`` for
LOCK_S seconds, four times the worker's busy timeout (shortened from 20 s to 2 s through
NNWEB_SQLITE_BUSY_TIMEOUT, so the test takes seconds rather than the 25 s lock seen in
production; django-tasks-db's plain db_worker exits in this situation). Web requests meet
the lock too and must answer a JSON 503 with Retry-After after the web busy timeout
(1 s here), not an HTML 500. After the lock: the worker is still alive, the run it was
training carries on, and a run queued afterwards is trained.
"""

from __future__ import annotations

import subprocess
import sys
import time

import pytest
from django.db import connection
from rest_framework.test import APIClient

from nnweb.training.builtins import load_builtin
from nnweb.training.models import TrainingRun

from .conftest import worker_log

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.slow,
    pytest.mark.skipif(connection.vendor != "sqlite", reason="the SQLite write lock"),
]

LOCK_S = 8.0
HOLD_LOCK = """
import sqlite3, sys, time
con = sqlite3.connect(sys.argv[1], isolation_level=None, timeout=30)
con.execute("BEGIN IMMEDIATE")
print("locked", flush=True)
time.sleep(float(sys.argv[2]))
con.execute("COMMIT")
"""


def client_for(user) -> APIClient:
    client = APIClient(raise_request_exception=False)  # see the 5xx a browser would get
    client.force_authenticate(user)
    return client


def wait_for(pred, timeout: float, what: str, proc=None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = pred()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"{what} within {timeout} s; worker: {worker_log(proc) if proc else ''}")


def hold_lock(seconds: float) -> subprocess.Popen:
    """Another process takes SQLite's write lock for ``seconds``; returns once it holds it."""
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_LOCK, connection.settings_dict["NAME"], str(seconds)],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout.readline().strip() == "locked"
    return holder


def test_worker_and_web_ride_out_a_long_write_lock(worker, student, instructor, settings):
    settings.NNWEB_DB_BUSY = {"WEB_TIMEOUT": 1, "RETRY_AFTER": 3}
    proc = worker(NNWEB_SQLITE_BUSY_TIMEOUT="2")
    student_api, instructor_api = client_for(student), client_for(instructor)
    # Warm up this process (imports, the built-in dataset) so the request below reaches the
    # database while the lock is still held, however slow the machine.
    assert instructor_api.get("/api/training/runs/").status_code == 200
    load_builtin("iris")
    wait_for(lambda: "Starting worker" in worker_log(proc), 60, "the worker started", proc)
    time.sleep(1)

    # 1. The worker is idle, polling for tasks (where django-tasks-db's own db_worker exits
    #    when its claiming transaction cannot get the lock); web writes meet the lock too.
    holder = hold_lock(LOCK_S)
    try:
        locked_at = time.monotonic()
        r = instructor_api.post(
            "/api/training/runs/", {"builtin": "iris", "optimizer": {"epochs": 2}}, format="json"
        )
        took = time.monotonic() - locked_at
        assert r.status_code == 503, (r.status_code, took, r.content[:300])
        assert r["Content-Type"].startswith("application/json")
        assert r["Retry-After"] == "3"
        assert r.json()["errors"][0]["code"] == "database_busy"
        assert took < 5, took  # the web busy timeout (1 s), not SQLite's 20 s
        assert time.monotonic() - locked_at < LOCK_S  # really answered during the lock
        assert TrainingRun.objects.filter(owner=instructor).count() == 0  # nothing half-written
    finally:
        holder.wait(timeout=LOCK_S + 30)
    time.sleep(1)
    assert proc.poll() is None, f"the worker exited: {worker_log(proc)}"

    # 2. A run queued after the lock is trained, and rides out a lock taken while it trains.
    r = student_api.post(
        "/api/training/runs/",
        {
            "builtin": "digits",
            "network": {"type": "mlp", "hidden": [32]},
            "optimizer": {"lr": 0.01, "batch_size": 1, "epochs": 50},
        },
        format="json",
    )
    assert r.status_code == 201, r.content
    first = r.json()["id"]
    wait_for(
        lambda: TrainingRun.objects.filter(pk=first, status="running", step__gt=0).exists(),
        120,
        "the run started",
        proc,
    )
    hold_lock(LOCK_S).wait(timeout=LOCK_S + 30)
    step_after_lock = TrainingRun.objects.get(pk=first).step
    wait_for(
        lambda: (
            TrainingRun.objects.filter(pk=first, step__gt=step_after_lock).exists()
            or TrainingRun.objects.filter(pk=first, status="succeeded").exists()
        ),
        60,
        "the run carried on after the lock",
        proc,
    )
    assert TrainingRun.objects.get(pk=first).status in ("running", "succeeded")
    student_api.post(f"/api/training/runs/{first}/cancel/")

    r = instructor_api.post(
        "/api/training/runs/", {"builtin": "iris", "optimizer": {"epochs": 2}}, format="json"
    )
    assert r.status_code == 201, r.content
    second = r.json()["id"]
    run = wait_for(
        lambda: TrainingRun.objects.filter(pk=second, status__in=TrainingRun.FINISHED).first(),
        120,
        "the next run finished",
        proc,
    )
    assert run.status == "succeeded", (run.reason, worker_log(proc))
    assert proc.poll() is None
    connection.close()  # the web busy timeout set on this connection ends with the test
