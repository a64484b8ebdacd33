"""SGD / fit, steps() events, per-sample gradients, parameters, spec, save/load, init."""

import json

import numpy as np
import pytest

from engine import (
    SGD,
    AvgPool2D,
    Conv2D,
    Dense,
    Flatten,
    MaxPool2D,
    Sequential,
    StepEvent,
    datasets,
)


def mlp(seed=0, dtype=np.float64):
    return Sequential(
        [Dense(2, 6, "tanh"), Dense(6, 2, "softmax")], "cross_entropy", seed=seed, dtype=dtype
    )


def cnn(seed=0):
    return Sequential(
        [
            Conv2D(1, 3, 3, padding="same", activation="relu"),
            MaxPool2D(2),
            Conv2D(3, 2, 3, stride=2, padding=1, activation="leaky_relu"),
            AvgPool2D(2),
            Flatten(),
            Dense(2, 3, "softmax"),
        ],
        "cross_entropy",
        seed=seed,
    )


def test_fit_learns_xor():
    X, y = datasets.xor(200, noise=0.02, seed=0)
    net = Sequential([Dense(2, 8, "tanh"), Dense(8, 2, "softmax")], "cross_entropy", seed=0)
    hist = SGD(0.5, 10, momentum=0.5).fit(net, X, y, epochs=40, seed=0)
    assert hist["steps"] == 40 * 20 and len(hist["loss"]) == 800 and len(hist["epoch_loss"]) == 40
    assert hist["epoch_loss"][-1] < 0.3 * hist["epoch_loss"][0]
    assert net.evaluate(X, y)["accuracy"] > 0.9


def test_fit_is_deterministic_under_a_seed():
    X, y = datasets.circle(60, seed=1)
    a, b = mlp(3), mlp(3)
    SGD(0.1, 7).fit(a, X, y, epochs=2, seed=5)
    SGD(0.1, 7).fit(b, X, y, epochs=2, seed=5)
    for k, v in a.get_params().items():
        np.testing.assert_array_equal(v, b.get_params()[k])


def test_callback_sees_every_step_and_false_stops():
    X, y = datasets.gauss(50, seed=0)
    seen = []

    def cb(info):
        seen.append((info.epoch, info.batch, info.step, info["loss"]))
        return info.step < 7

    hist = SGD(0.1, 10).fit(mlp(), X, y, epochs=3, callback=cb)
    assert hist["stopped"] and hist["steps"] == 7 and len(seen) == 7
    assert seen[5][:3] == (1, 0, 6)


def test_batch_size_1_is_plain_sgd_and_full_batch_is_gradient_descent():
    X, y = datasets.gauss(12, seed=2)
    net, ref = mlp(1), mlp(1)
    SGD(0.2, len(X)).fit(net, X, y, epochs=1, shuffle=False)
    tr = ref.trace(X, y)
    for l, layer in ref.param_layers():
        np.testing.assert_allclose(net.layers[l - 1].W, layer.W - 0.2 * tr.layers[l - 1].dE_dW)
    net, ref = mlp(1), mlp(1)
    SGD(0.2, 1).fit(net, X[:2], y[:2], epochs=1, shuffle=False)
    for i in range(2):
        SGD(0.2, 1).step(ref, ref.trace(X[i : i + 1], y[i : i + 1]))
    np.testing.assert_allclose(net.layers[0].W, ref.layers[0].W)


def test_step_returns_the_applied_update():
    net = mlp()
    x, y = np.array([[0.5, -1.0], [1.0, 2.0]]), np.array([0, 1])
    before = net.get_params()
    upd = SGD(0.3, 2).step(net, net.trace(x, y))
    assert set(upd) == {"W1", "b1", "W2", "b2"}
    for k, v in net.get_params().items():
        np.testing.assert_allclose(v - before[k], upd[k], atol=1e-15)


def test_steps_yields_every_stage_in_order_and_matches_trace():
    net = cnn()
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(4, 1, 8, 8)), rng.integers(0, 3, 4)
    ref = net.trace(x, y)
    before = net.get_params()
    events = list(net.steps(x, y, SGD(0.1, 4)))
    assert all(isinstance(e, StepEvent) for e in events)
    L = len(net.layers)
    assert [(e.stage, e.l) for e in events] == (
        [("forward", l) for l in range(1, L + 1)]
        + [("loss", L)]
        + [("backward", l) for l in range(L, 0, -1)]
        + [("update", None)]
    )
    for e in events[:L]:
        np.testing.assert_array_equal(e.u, ref.layers[e.l - 1].u)
        np.testing.assert_array_equal(e.a, ref.layers[e.l - 1].a)
    assert events[L].loss == ref.loss
    for e in events[L + 1 : 2 * L + 1]:
        lt = ref.layers[e.l - 1]
        np.testing.assert_array_equal(e.delta, lt.delta)
        if lt.dE_dW is not None:
            np.testing.assert_array_equal(e.dE_dW, lt.dE_dW)
    upd = events[-1].updates
    np.testing.assert_allclose(net.layers[0].W, before["W1"] + upd["W1"])
    np.testing.assert_allclose(upd["W6"], -0.1 * ref.layers[5].dE_dW)


def test_stopping_steps_early_changes_nothing():
    net = mlp()
    before = net.get_params()
    gen = net.steps(np.ones((2, 2)), [0, 1], SGD(1.0, 2))
    for e in gen:
        if e.stage == "backward":
            break
    gen.close()
    for k, v in net.get_params().items():
        np.testing.assert_array_equal(v, before[k])


@pytest.mark.parametrize("make", [mlp, cnn], ids=["mlp", "cnn"])
def test_per_sample_gradients_average_to_the_batch_gradient(make):
    net = make()
    rng = np.random.default_rng(1)
    m = 5
    x = rng.normal(size=(m, 2)) if make is mlp else rng.normal(size=(m, 1, 8, 8))
    y = rng.integers(0, net.layers[-1].n_out, m)
    ps = net.per_sample_gradients(x, y)
    tr = net.trace(x, y)
    for l, _ in net.param_layers():
        assert ps[f"W{l}"].shape == (m, *tr.layers[l - 1].dE_dW.shape)
        np.testing.assert_allclose(ps[f"W{l}"].mean(0), tr.layers[l - 1].dE_dW, atol=1e-14)
        np.testing.assert_allclose(ps[f"b{l}"].mean(0), tr.layers[l - 1].dE_db, atol=1e-14)
    one = net.trace(x[2:3], y[2:3])  # sample n alone: its own E_n
    for l, _ in net.param_layers():
        np.testing.assert_allclose(ps[f"W{l}"][2], one.layers[l - 1].dE_dW, atol=1e-14)


def test_trace_layout_and_names():
    net = cnn()
    x = np.random.default_rng(0).normal(size=(2, 1, 8, 8))
    tr = net.trace(x, [0, 2])
    assert tr.a0 is not None and tr.losses.shape == (2,)
    assert tr.loss == pytest.approx(tr.losses.mean())
    pool = tr.layers[1]
    assert pool.dE_dW is None and pool.dE_db is None and pool.a is pool.u
    assert tr.layers[0].dE_dW.shape == (3, 1, 3, 3)
    assert set(tr.grads()) == {"W1", "b1", "W3", "b3", "W6", "b6"}


def test_get_set_params_numbering_skips_layers_without_params():
    net = cnn()
    p = net.get_params()
    assert list(p) == ["W1", "b1", "W3", "b3", "W6", "b6"]
    p["W6"] = np.zeros_like(p["W6"])
    net.set_params({"W6": p["W6"]})
    assert not net.layers[5].W.any()


def test_spec_is_json_and_rebuilds_the_same_network():
    net = Sequential(
        [Conv2D(1, 2, 3, stride=2, padding="same", activation="leaky_relu", alpha=0.1),
         MaxPool2D(2, 1), Flatten(), Dense(8, 2, "softmax")],
        "cross_entropy", seed=7, dtype=np.float32, init=("normal", 0.05),
    )  # fmt: skip
    spec = json.loads(json.dumps(net.spec()))
    twin = Sequential.from_spec(spec)
    assert twin.spec() == net.spec()
    for k, v in net.get_params().items():
        np.testing.assert_array_equal(v, twin.get_params()[k])
    assert twin.dtype == np.float32 and twin.layers[0].alpha == 0.1
    with pytest.raises(ValueError, match="layer 2: unknown type 'Dropout'"):
        Sequential.from_spec(
            {"loss": "half_sse", "layers": [spec["layers"][0], {"type": "Dropout"}]}
        )


def test_save_and_load_round_trip(tmp_path):
    net = cnn(4)
    net.layers[0].W += 1.0  # not what the seed would give
    path = tmp_path / "net.npz"
    net.save(path)
    back = Sequential.load(path)
    x = np.random.default_rng(0).normal(size=(3, 1, 8, 8))
    np.testing.assert_array_equal(back.forward(x), net.forward(x))
    (tmp_path / "bad.npz").write_bytes(b"not a zip")
    with pytest.raises(ValueError, match="bad.npz"):
        Sequential.load(tmp_path / "bad.npz")


def test_failed_save_keeps_the_old_file_and_leaves_no_partial_one(tmp_path, monkeypatch):
    net = cnn(4)
    net.save(tmp_path / "net")  # np.savez's rule: ".npz" is added
    before = (tmp_path / "net.npz").read_bytes()

    def broken():
        raise RuntimeError("disk full")

    monkeypatch.setattr(net, "get_params", broken)
    with pytest.raises(RuntimeError, match="disk full"):
        net.save(tmp_path / "net.npz")
    assert (tmp_path / "net.npz").read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["net.npz"]


def test_initialisers():
    relu_net = Sequential([Dense(400, 300, "relu"), Dense(300, 2)], "half_sse", seed=0)
    assert relu_net.layers[0].W.std() == pytest.approx(np.sqrt(2 / 400), rel=0.02)  # he
    r = np.sqrt(6 / (300 + 2))
    assert np.abs(relu_net.layers[1].W).max() <= r  # xavier for identity
    n = Sequential([Dense(400, 300)], "half_sse", seed=0, init={"name": "normal", "sigma": 0.5})
    assert n.layers[0].W.std() == pytest.approx(0.5, rel=0.02)
    assert not n.layers[0].b.any()
    a, b = mlp(11), mlp(11)
    np.testing.assert_array_equal(a.layers[0].W, b.layers[0].W)
    assert not np.array_equal(a.layers[0].W, mlp(12).layers[0].W)
    custom = Sequential([Dense(2, 2)], "half_sse", init=lambda shape, fi, fo, rng: np.ones(shape))
    assert (custom.layers[0].W == 1).all()


def test_float32_network_keeps_float32():
    net = mlp(dtype=np.float32)
    tr = net.trace(np.ones((2, 2)), [0, 1])
    assert tr.layers[0].u.dtype == np.float32 and tr.layers[1].dE_dW.dtype == np.float32
    SGD(0.1, 2).fit(net, np.ones((4, 2)), [0, 1, 1, 0])
    assert net.layers[0].W.dtype == np.float32


def test_one_hot_and_index_targets_agree():
    net = mlp()
    x = np.random.default_rng(0).normal(size=(3, 2))
    a = net.trace(x, np.array([0, 1, 1]))
    b = net.trace(x, np.eye(2)[[0, 1, 1]])
    assert a.loss == pytest.approx(b.loss, rel=1e-15)
    np.testing.assert_allclose(a.layers[0].dE_dW, b.layers[0].dE_dW)


def test_evaluate_matches_trace():
    net = mlp()
    x = np.random.default_rng(0).normal(size=(6, 2))
    y = np.array([0, 1, 1, 0, 1, 0])
    ev = net.evaluate(x, y)
    assert ev["loss"] == pytest.approx(net.trace(x, y).loss, rel=1e-12)
    assert ev["accuracy"] == pytest.approx((net.forward(x).argmax(1) == y).mean())
    reg = Sequential([Dense(2, 1)], "half_sse", seed=0)
    assert reg.evaluate(x, np.ones(6))["loss"] == pytest.approx(reg.trace(x, np.ones(6)).loss)


def test_steps_without_optimizer_has_no_update_and_spec_with_callable_init():
    net = mlp()
    stages = [e.stage for e in net.steps(np.ones((2, 2)), [0, 1])]
    assert stages[-1] == "backward" and "update" not in stages
    custom = Sequential([Dense(2, 2)], "half_sse", init=lambda shape, fi, fo, rng: np.ones(shape))
    assert (
        custom.spec()["init"] is None
    )  # a callable cannot be written down; from_spec uses defaults
    Sequential.from_spec(custom.spec())
