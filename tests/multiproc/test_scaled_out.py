"""nnweb scaled out for real: two uvicorn processes and two workers on PostgreSQL + Redis,
requests alternating between the processes as a round-robin proxy sends them (conftest.py)."""

from __future__ import annotations

import json
import signal
import threading
import time

import numpy as np
import requests
from websockets.sync.client import connect as ws_connect

from .conftest import HEARTBEAT_TIMEOUT

CONFIG = {"dataset": "xor", "hidden": [4], "seed": 3}


def act(cluster, i: int, sid: str, session: requests.Session | None = None, **msg) -> dict:
    r = (session or requests).post(
        cluster.url(i, f"/api/playground/sessions/{sid}/actions/"), json=msg, timeout=30
    )
    assert r.status_code == 200, (i, msg, r.status_code, r.text[:300])
    return r.json()


def state(cluster, i: int, sid: str, session: requests.Session | None = None) -> dict:
    r = (session or requests).get(cluster.url(i, f"/api/playground/sessions/{sid}/"), timeout=30)
    assert r.status_code == 200, r.text[:300]
    return r.json()


def new_session(cluster, i: int = 0, session: requests.Session | None = None) -> str:
    r = (session or requests).post(
        cluster.url(i, "/api/playground/sessions/"), json={"config": CONFIG}, timeout=30
    )
    assert r.status_code == 201, r.text[:300]
    return r.json()["session"]


def connect(url: str, open_timeout: float = 30):
    """A websocket from a page of the same site (the server checks the Origin)."""
    origin = "http://" + url.split("//", 1)[1].split("/", 1)[0]
    return ws_connect(url, open_timeout=open_timeout, origin=origin)


def ws_action(ws, **msg) -> dict:
    ws.send(json.dumps(msg))
    while True:
        reply = ws.recv(timeout=30)
        if isinstance(reply, str):
            body = json.loads(reply)
            if body.get("type") != "paused":
                return body


def params_of(body: dict) -> dict:
    return {k: np.asarray(v) for k, v in body["params"].items()}


def test_playground_rest_and_websocket_share_one_state(cluster):
    sid = new_session(cluster, 0)
    iterations = [act(cluster, i, sid, action="step")["iteration"] for i in range(6)]
    assert iterations == [1, 2, 3, 4, 5, 6], iterations
    a, b = state(cluster, 0, sid), state(cluster, 1, sid)
    assert a["iteration"] == b["iteration"] == 6
    for k, v in params_of(a).items():
        np.testing.assert_array_equal(v, params_of(b)[k])

    # websocket steps on process 0, REST on process 1 sees them (and the other way round)
    with connect(cluster.ws(0, f"/ws/playground/{sid}/"), open_timeout=30) as ws0:
        assert json.loads(ws0.recv(timeout=30))["type"] == "hello"
        seen = [ws_action(ws0, action="step")["iteration"] for _ in range(3)]
        assert seen == [7, 8, 9], seen
        assert state(cluster, 1, sid)["iteration"] == 9
        assert act(cluster, 1, sid, action="step")["iteration"] == 10
        assert ws_action(ws0, action="step")["iteration"] == 11
        with connect(cluster.ws(1, f"/ws/playground/{sid}/"), open_timeout=30) as ws1:
            assert json.loads(ws1.recv(timeout=30))["type"] == "hello"
            assert ws_action(ws1, action="step")["iteration"] == 12
            assert ws_action(ws0, action="step")["iteration"] == 13
    final = [state(cluster, i, sid) for i in (0, 1)]
    assert final[0]["iteration"] == final[1]["iteration"] == 13
    for k, v in params_of(final[0]).items():
        np.testing.assert_array_equal(v, params_of(final[1])[k])

    # REST "play" polled through both processes: each call's frame is trained and stored under
    # the session's lock, so iterations only go up and both processes agree afterwards.
    played = []
    for i in range(6):
        frame = act(cluster, i % 2, sid, action="play")
        played.append(frame["iteration"])
    assert played == sorted(played) and len(set(played)) == 6 and played[0] > 13, played
    act(cluster, 0, sid, action="pause")
    after_play = [state(cluster, i, sid) for i in (0, 1)]
    assert after_play[0]["iteration"] == after_play[1]["iteration"] == played[-1]

    # DELETE on one process ends the session on both
    assert requests.delete(cluster.url(1, f"/api/playground/sessions/{sid}/")).status_code == 204
    for i in (0, 1):
        r = requests.post(
            cluster.url(i, f"/api/playground/sessions/{sid}/actions/"), json={"action": "step"}
        )
        assert r.status_code == 404, (i, r.status_code, r.text[:200])


def test_play_loop_runs_once_and_stops_on_a_step_from_the_other_process(cluster):
    sid = new_session(cluster, 1)
    with (
        connect(cluster.ws(0, f"/ws/playground/{sid}/"), open_timeout=30) as ws0,
        connect(cluster.ws(1, f"/ws/playground/{sid}/"), open_timeout=30) as ws1,
    ):
        ws0.recv(timeout=30), ws1.recv(timeout=30)
        ws0.send(json.dumps({"action": "play"}))
        ws1.send(json.dumps({"action": "play"}))  # a second loop: the newest one plays
        time.sleep(1.5)
        before = state(cluster, 0, sid)["iteration"]
        stepped = act(cluster, 1, sid, action="step")  # pauses continuous training everywhere
        assert stepped["iteration"] > before
        assert not state(cluster, 0, sid)["playing"]
        time.sleep(1.0)
        after = [state(cluster, i, sid)["iteration"] for i in (0, 1)]
        assert after[0] == after[1] == stepped["iteration"], (stepped["iteration"], after)


def test_save_through_the_other_process_stores_the_current_weights(cluster):
    alice = cluster.api("alice")
    sid = new_session(cluster, 0, alice)
    for i in range(20):
        act(cluster, i, sid, alice, action="step")
    saved = act(cluster, 1, sid, alice, action="save", name="twenty steps")
    current = state(cluster, 0, sid, alice)
    assert current["iteration"] == 20
    # reopening the experiment (through the other process) gives the weights of step 20
    r = alice.post(
        cluster.url(1, "/api/playground/sessions/"),
        json={"experiment": saved["experiment"]["id"]},
        timeout=30,
    )
    assert r.status_code == 201, r.text[:300]
    reopened = r.json()
    assert reopened["iteration"] == 20
    for k, v in params_of(current).items():
        np.testing.assert_allclose(params_of(reopened)[k], v)


def run_body(epochs: int = 3) -> dict:
    return {
        "builtin": "iris",
        "network": {"type": "mlp", "hidden": [8]},
        "optimizer": {"epochs": epochs},
    }


def wait_run(api, cluster, run_id: int, statuses, timeout: float) -> dict:
    deadline = time.monotonic() + timeout
    i = 0
    while time.monotonic() < deadline:
        body = api.get(cluster.url(i, f"/api/training/runs/{run_id}/"), timeout=30).json()
        if body["status"] in statuses:
            return body
        i += 1
        time.sleep(0.3)
    raise AssertionError(f"run {run_id} still {body['status']} after {timeout} s")


def test_concurrent_creates_respect_the_quota_across_processes(cluster):
    bob = cluster.api("bob")
    barrier = threading.Barrier(4)
    codes: list[int] = []

    def create(i: int) -> None:
        barrier.wait()
        codes.append(
            bob.post(cluster.url(i, "/api/training/runs/"), json=run_body(), timeout=60).status_code
        )

    threads = [threading.Thread(target=create, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sorted(codes) == [201, 400, 400, 400], codes
    runs = bob.get(cluster.url(1, "/api/training/runs/"), timeout=30).json()
    runs = runs.get("results", runs) if isinstance(runs, dict) else runs
    assert len(runs) == 1
    wait_run(bob, cluster, runs[0]["id"], ("succeeded", "failed"), 120)


LONG_RUN = {  # minutes of training: both runs are still going when the test looks
    "builtin": "digits",
    "network": {"type": "mlp", "hidden": [32]},
    "optimizer": {"batch_size": 1, "epochs": 50},
}


def test_two_runs_at_once_on_two_workers(cluster):
    """Two long runs, one sent to each process, are both running at the same moment: a worker
    runs one task at a time, so each has one. (Short runs can finish before the second worker
    has claimed its run on a fast machine, so the runs are long and then cancelled.)"""
    irene = cluster.api("irene")
    ids = []
    for i in range(2):
        r = irene.post(cluster.url(i, "/api/training/runs/"), json=LONG_RUN, timeout=60)
        assert r.status_code == 201, r.text[:300]
        ids.append(r.json()["id"])
    deadline = time.monotonic() + 60
    seen = []
    while time.monotonic() < deadline:
        seen = [
            irene.get(cluster.url(k, f"/api/training/runs/{k}/"), timeout=30).json() for k in ids
        ]
        if all(b["status"] == "running" and b["step"] > 0 for b in seen):
            break
        assert all(b["status"] in ("queued", "running") for b in seen), seen
        time.sleep(0.2)
    else:
        raise AssertionError(f"the two runs were never running together: {seen}")
    for k in ids:
        r = irene.post(cluster.url(k + 1, f"/api/training/runs/{k}/cancel/"), timeout=30)
        assert r.status_code in (200, 202), r.text[:300]
    for k in ids:
        assert wait_run(irene, cluster, k, ("cancelled",), 60)["status"] == "cancelled"


def test_kill_9_of_a_worker_mid_run(cluster):
    alice = cluster.api("alice")
    r = alice.post(
        cluster.url(0, "/api/training/runs/"),
        json={
            "builtin": "digits",
            "network": {"type": "mlp", "hidden": [32]},
            "optimizer": {"batch_size": 1, "epochs": 50},
        },
        timeout=60,
    )
    assert r.status_code == 201, r.text[:300]
    run_id = r.json()["id"]
    wait_run(alice, cluster, run_id, ("running",), 60)
    victim = None  # whichever worker claimed it: its log shows a train_run still RUNNING
    deadline = time.monotonic() + 30
    while victim is None and time.monotonic() < deadline:
        for w in cluster.workers:
            log = w.log_path.read_text(errors="replace") if w.poll() is None else ""
            finished = log.count("train_run state=SUCCESSFUL") + log.count("train_run state=FAILED")
            if log.count("train_run state=RUNNING") > finished:
                victim = w
        time.sleep(0.2)
    assert victim is not None, "no worker shows the run"
    victim.send_signal(signal.SIGKILL)
    victim.wait(timeout=30)
    killed = time.monotonic()
    body = wait_run(alice, cluster, run_id, ("failed", "succeeded"), HEARTBEAT_TIMEOUT + 15)
    assert time.monotonic() - killed < HEARTBEAT_TIMEOUT + 10
    assert body["status"] == "failed" and "worker stopped responding" in body["reason"]
    # the task row is closed: a new run by the same student is accepted at once
    r = alice.post(cluster.url(1, "/api/training/runs/"), json=run_body(), timeout=60)
    assert r.status_code == 201, r.text[:300]
    wait_run(alice, cluster, r.json()["id"], ("succeeded",), 120)
    cluster.start_worker()


def test_sigterm_with_sockets_open_exits_within_10_s(cluster):
    proc, port = cluster.start_server()
    cluster.wait_ready()
    sockets = []
    sid = new_session(cluster, len(cluster.servers) - 1)
    for path in (f"/ws/playground/{sid}/", "/ws/core/ping/", f"/ws/playground/{sid}/"):
        ws = connect(f"ws://127.0.0.1:{port}{path}", open_timeout=30)
        ws.recv(timeout=30)
        sockets.append(ws)
    ws_action(sockets[0], action="step")
    sockets[0].send(json.dumps({"action": "play"}))
    time.sleep(0.5)
    t0 = time.monotonic()
    proc.send_signal(signal.SIGTERM)
    proc.wait(timeout=30)
    took = time.monotonic() - t0
    cluster.servers.remove((proc, port))
    for ws in sockets:
        ws.close()
    assert took < 10, took
