"""Every playground action through the websocket; numbers checked against the engine."""

from __future__ import annotations

import asyncio
import threading

import numpy as np
import pytest

from engine import Sequential
from nnweb.playground import consumers, frames, shared, store

from .conftest import arr, ask, attr_of, code_of, communicator, detail_of, new_session

# channels closes old DB connections around every message, so the tests need database access.
pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]


def engine_trace(state_net_spec, params, a0, t):
    net = Sequential.from_spec(state_net_spec)
    net.set_params({k: arr(v) for k, v in params.items()})
    return net, net.trace(arr(a0), np.asarray(t))


async def test_hello_and_unknown_session():
    comm = communicator("0" * 32)
    connected, _ = await comm.connect()
    assert connected
    msg = frames.loads((await comm.receive_output(5))["text"])
    assert msg["type"] == "error" and code_of(msg) == "not_found"
    assert "expired or does not exist" in detail_of(msg)
    closed = await comm.receive_output(5)
    assert closed["type"] == "websocket.close"
    await comm.disconnect()


async def test_forward_backward_update_layer_by_layer_match_the_engine(xor_session):
    s = xor_session
    comm = communicator(s.id)
    await comm.connect()
    hello = frames.loads((await comm.receive_output(5))["text"])
    assert hello["type"] == "hello" and hello["session"] == s.id
    spec = s.net.spec()
    r = await ask(comm, {"action": "select", "sample": 5, "id": 1})
    assert r["id"] == 1 and r["selection"]["indices"] == [5]
    # forward, layer by layer
    r1 = await ask(comm, {"action": "forward"})
    assert r1["phase"] == "forward" and r1["l"] == 1
    assert "u" in r1["layers"][0] and "u" not in r1["layers"][1]
    r2 = await ask(comm, {"action": "forward"})
    assert r2["forward_done"] == 2 and r2["next"] == "backward"
    net, tr = engine_trace(spec, r2["trace_params"], r2["a0"], r2["selection"]["t"])
    assert np.array_equal(arr(r2["a0"]), s.A_train[[5]])
    for lt, got in zip(tr.layers, r2["layers"]):
        assert np.array_equal(arr(got["u"]), lt.u)
        assert np.array_equal(arr(got["a"]), lt.a)
    assert r2["loss"] == tr.loss
    # forward again is refused with a clear message
    err = await ask(comm, {"action": "forward"})
    assert err["type"] == "error" and "go backward" in detail_of(err)
    # backward L..1
    b1 = await ask(comm, {"action": "backward"})
    assert b1["l"] == 2 and "delta" in b1["layers"][1] and "delta" not in b1["layers"][0]
    b2 = await ask(comm, {"action": "backward"})
    assert b2["l"] == 1 and b2["next"] == "update"
    for lt, got in zip(tr.layers, b2["layers"]):
        for name in ("delta", "dE_dW", "dE_db"):
            assert np.array_equal(arr(got[name]), getattr(lt, name)), name
        if lt.dE_da is not None:
            assert np.allclose(arr(got["dE_da"]), lt.dE_da, rtol=0, atol=0)
    # update: W <- W - lr dE/dW
    up = await ask(comm, {"action": "update"})
    assert up["phase"] == "updated" and up["iteration"] == 1
    lr = s.config.lr
    for name, dW in up["update"].items():
        g = tr.grads()[name]
        assert np.allclose(arr(dW), -lr * g, rtol=1e-15, atol=1e-17)
        assert np.allclose(arr(up["params"][name]), arr(r2["trace_params"][name]) + arr(dW))
    await comm.disconnect()


async def test_next_step_batch_epoch_reset_set_param_gradcheck(xor_session):
    s = xor_session
    comm = communicator(s.id)
    await comm.connect()
    await comm.receive_output(5)
    # "next" walks forward, backward, update
    phases = [(await ask(comm, {"action": "next"}))["phase"] for _ in range(5)]
    assert phases == ["forward", "forward", "backward", "backward", "updated"]
    # one full step on a chosen sample
    before = s.net.get_params()
    st = await ask(comm, {"action": "step", "sample": 3})
    assert st["phase"] == "updated" and st["selection"]["indices"] == [3]
    net = Sequential.from_spec(s.net.spec())
    net.set_params(before)
    tr = net.trace(s.A_train[[3]], s.y_train[[3]])
    assert np.array_equal(arr(st["layers"][0]["delta"]), tr.layers[0].delta)
    # a mini-batch: per-sample gradients beside their mean
    bt = await ask(comm, {"action": "batch"})
    m = s.config.batch_size
    assert bt["m"] == m and len(bt["selection"]["indices"]) == m
    for name, per in bt["per_sample"].items():
        per = arr(per)
        assert per.shape[0] == m
        assert np.allclose(per.mean(axis=0), arr(bt["mean"][name]), rtol=1e-12, atol=1e-15)
    # one epoch
    ep = await ask(comm, {"action": "epoch"})
    assert ep["type"] == "metrics" and ep["steps"] == -(-len(s.A_train) // m)
    assert ep["iteration"] == 1 + 1 + 1 + ep["steps"]
    # set one weight by hand
    sp = await ask(comm, {"action": "set_param", "name": "W1", "index": [2, 1], "value": 0.75})
    assert sp["params"]["W1"][2][1] == 0.75 and s.net.layers[0].W[2, 1] == 0.75
    bad = await ask(comm, {"action": "set_param", "name": "W1", "index": [9, 0], "value": 1})
    assert bad["type"] == "error" and attr_of(bad) == "index" and "0..3" in detail_of(bad)
    # gradient check
    gc = await ask(comm, {"action": "gradcheck"})
    assert gc["type"] == "gradcheck" and gc["ok"]
    assert {r["name"] for r in gc["rows"]} == {"W1", "b1", "W2", "b2"}
    for row in gc["rows"]:
        for e in row["entries"]:
            assert abs(e["backprop"] - e["numeric"]) < 1e-6
    # reset
    rs = await ask(comm, {"action": "reset"})
    assert rs["type"] == "state" and rs["iteration"] == 0 and rs["history"] == []
    fresh = Sequential.from_spec(s.net.spec())
    for k, v in fresh.get_params().items():
        assert np.array_equal(arr(rs["params"][k]), v)
    # configure, add and remove points
    cf = await ask(comm, {"action": "configure", "config": {"hidden": [3, 2], "lr": 0.5}})
    assert cf["network"]["sizes"] == [2, 3, 2, 2]
    n_before = len(cf["data"]["X"])
    ad = await ask(comm, {"action": "add_point", "point": [0.2, 0.3, 1]})
    assert len(ad["data"]["X"]) == n_before + 1 and ad["config"]["added"] == [[0.2, 0.3, 1.0]]
    rm = await ask(comm, {"action": "remove_point", "index": 0})
    assert len(rm["data"]["X"]) == n_before and rm["config"]["removed"] == [0]
    # a full state and a binary frame on request
    assert (await ask(comm, {"action": "state"}))["session"] == s.id
    await comm.send_to(text_data=frames.dumps({"action": "frame"}).decode())
    out = await comm.receive_output(5)
    meta, arrays = frames.decode_binary(out["bytes"])
    assert meta["type"] == "frame" and arrays["out"].shape == (2, 64, 64)
    await comm.disconnect()


async def test_errors_name_the_field(xor_session):
    comm = communicator(xor_session.id)
    await comm.connect()
    await comm.receive_output(5)
    r = await ask(comm, {"action": "configure", "config": {"hidden": [4, 40]}})
    assert r["type"] == "error" and attr_of(r) == "config.hidden.1"
    assert "at most 16 neurons per layer for visitors who are not signed in" in detail_of(r)
    r = await ask(comm, {"action": "configure", "config": {"hidden": [2] * 7}})
    assert attr_of(r) == "config.hidden" and "at most 6 hidden layers" in detail_of(r)
    r = await ask(comm, {"action": "configure", "config": {"speed": 10_000}})
    assert attr_of(r) == "config.speed"
    r = await ask(comm, {"action": "fly"})
    assert r["type"] == "error" and "unknown action" in detail_of(r)
    r = await ask(comm, {"action": "backward"})
    assert r["type"] == "error" and "forward pass first" in detail_of(r)
    await comm.send_to(text_data="{not json")
    r = frames.loads((await comm.receive_output(5))["text"])
    assert r["type"] == "error" and "Invalid JSON" in detail_of(r)
    await comm.disconnect()


async def test_message_rate_limit(xor_session, settings):
    settings.NNWEB_LIMITS = {**settings.NNWEB_LIMITS, "WS_MESSAGES_PER_SECOND": 5}
    comm = communicator(xor_session.id)
    await comm.connect()
    await comm.receive_output(5)
    replies = []
    for _ in range(25):
        replies.append(await ask(comm, {"action": "state"}))
    limited = [r for r in replies if r["type"] == "error" and code_of(r) == "rate_limited"]
    assert limited, "the burst above the limit must be refused"
    assert "at most 5 per second" in detail_of(limited[0])
    await comm.disconnect()


async def test_play_streams_frames_and_a_dropped_socket_stops_training(xor_session):
    s = xor_session
    comm = communicator(s.id)
    await comm.connect()
    await comm.receive_output(5)
    r = await ask(comm, {"action": "play"})
    assert r["playing"] is True
    got = []
    while len(got) < 3:
        out = await comm.receive_output(5)
        if out.get("bytes"):
            got.append(frames.decode_binary(out["bytes"]))
    meta, arrays = got[-1]
    assert meta["type"] == "frame" and meta["iteration"] > 0
    assert arrays["out"].shape == (2, 64, 64) and arrays["neurons"].shape == (4, 32, 32)
    assert arrays["W1"].dtype == np.float32
    lo, hi = arrays["out_range"][:, :1, None], arrays["out_range"][:, 1:, None]
    probs = (lo + arrays["out"] / 255.0 * (hi - lo)).sum(axis=0)  # uint8 with each row's range
    assert arrays["out"].dtype == np.uint8 and np.allclose(probs, 1, atol=2 / 255)
    assert len(consumers.ACTIVE_PLAY_LOOPS) == 1
    # drop the socket without pausing
    await comm.disconnect()
    await asyncio.sleep(0.2)
    assert not consumers.ACTIVE_PLAY_LOOPS
    assert s.playing is False
    it = s.iteration
    await asyncio.sleep(0.3)
    assert s.iteration == it


async def test_pause_and_stepping_stop_the_play_loop(xor_session):
    s = xor_session
    comm = communicator(s.id)
    await comm.connect()
    await comm.receive_output(5)
    await ask(comm, {"action": "play"})
    r = await ask(comm, {"action": "pause"})
    assert r["playing"] is False
    await asyncio.sleep(0.1)
    assert not consumers.ACTIVE_PLAY_LOOPS
    await ask(comm, {"action": "play"})
    st = await ask(comm, {"action": "step", "sample": 0})
    assert st["type"] == "stage" and s.playing is False
    for _ in range(50):
        if not consumers.ACTIVE_PLAY_LOOPS:
            break
        await asyncio.sleep(0.05)
    assert not consumers.ACTIVE_PLAY_LOOPS
    await comm.disconnect()


async def test_save_over_the_socket_needs_a_user(student):
    from channels.db import database_sync_to_async

    s = await database_sync_to_async(new_session)({"hidden": [3]}, student)
    comm = communicator(s.id, student)
    await comm.connect()
    await comm.receive_output(5)
    r = await ask(comm, {"action": "save", "name": "xor 3"})
    assert r["type"] == "saved" and r["experiment"]["name"] == "xor 3"
    await comm.disconnect()
    # someone else cannot attach to a signed-in user's session
    other = communicator(s.id, None)
    await other.connect()
    msg = frames.loads((await other.receive_output(5))["text"])
    assert code_of(msg) == "forbidden"
    await other.disconnect()
    store.local.discard(s.id)


async def test_anonymous_cannot_save(xor_session):
    comm = communicator(xor_session.id)
    await comm.connect()
    await comm.receive_output(5)
    r = await ask(comm, {"action": "save", "name": "x"})
    assert r["type"] == "error" and "sign in" in detail_of(r)
    await comm.disconnect()


async def test_open_sockets_per_client_are_capped(xor_session, settings):
    """One client cannot hold more than its share of sockets (each can train continuously)."""
    from django.core.cache import cache

    settings.NNWEB_LIMITS = {**settings.NNWEB_LIMITS, "WS_MAX_SOCKETS_PER_CLIENT": 2}
    cache.clear()
    open_ = [communicator(xor_session.id) for _ in range(2)]
    for comm in open_:
        connected, _ = await comm.connect()
        assert connected
        await comm.receive_output(5)  # hello
    refused = communicator(xor_session.id)
    connected, code = await refused.connect()
    assert not connected and code == 4429
    await open_[0].disconnect()  # a closed socket stops counting
    again = communicator(xor_session.id)
    connected, _ = await again.connect()
    assert connected
    for comm in (open_[1], again):
        await comm.disconnect()


async def test_an_oversize_message_closes_the_socket_unparsed(xor_session, settings):
    settings.NNWEB_LIMITS = {**settings.NNWEB_LIMITS, "WS_MAX_MESSAGE_BYTES": 2000}
    comm = communicator(xor_session.id)
    await comm.connect()
    await comm.receive_output(5)  # hello
    ok = await ask(comm, {"action": "select", "samples": list(range(50))})
    assert ok["type"] == "stage"
    big = frames.dumps({"action": "select", "samples": list(range(100)) * 10}).decode()
    await comm.send_to(text_data=big)
    closed = await comm.receive_output(5)
    assert closed["type"] == "websocket.close" and closed["code"] == 4413
    assert "the limit is 2000" in closed["reason"]


async def test_refusals_name_the_field_with_the_rest_error_items(xor_session):
    comm = communicator(xor_session.id)
    await comm.connect()
    await comm.receive_output(5)  # hello
    r = await ask(comm, {"action": "set_param", "name": "W1", "index": [0, "x"], "value": 1})
    assert r["type"] == "error" and attr_of(r) == "index.1" and code_of(r) == "invalid"
    r = await ask(comm, {"action": "add_point", "point": [0.1, 0.2]})
    assert attr_of(r) == "point" and "at least 3" in detail_of(r)
    r = await ask(comm, {"action": "step", "sample": 10**6})
    assert attr_of(r) == "sample" and "0..99" in detail_of(r)
    await comm.disconnect()


async def test_one_step_of_a_small_network_runs_on_the_event_loop(xor_session, monkeypatch):
    """A step of the default-sized network is dispatched on the event loop (the pool's hand-off
    cost as much CPU as the step); a larger network, a whole epoch, and anything scaled out
    (where an action waits on Redis) go to the engine pool."""
    threads = []
    dispatch = consumers.actions.dispatch

    def recording(session, msg, user=None):
        threads.append((msg["action"], threading.current_thread() is threading.main_thread()))
        return dispatch(session, msg, user)

    monkeypatch.setattr(consumers.actions, "dispatch", recording)
    big = new_session({"dataset": "spiral", "hidden": [16, 16], "n_samples": 400, "seed": 1})
    try:
        for s in (xor_session, big):
            comm = communicator(s.id)
            await comm.connect()
            assert frames.loads((await comm.receive_output(5))["text"])["type"] == "hello"
            assert (await ask(comm, {"action": "step", "sample": 0}))["type"] != "error"
            assert (await ask(comm, {"action": "epoch"}))["type"] != "error"
            await comm.disconnect()
    finally:
        store.local.discard(big.id)
    inline = not shared.enabled()
    assert threads == [("step", inline), ("epoch", False), ("step", False), ("epoch", False)]
