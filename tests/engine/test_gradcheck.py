"""Back propagation agrees with central finite differences (float64, < 1e-6 relative)."""

import numpy as np
import pytest

from engine import AvgPool2D, Conv2D, Dense, Flatten, MaxPool2D, Sequential, gradcheck

from .helpers import ACTS, random_cnn, random_mlp, targets

TOL = 1e-6


def check(net, x, y, **kw):
    errs = gradcheck(net, x, y, **kw)
    assert errs and max(errs.values()) < TOL, errs


@pytest.mark.parametrize("act", ACTS)
def test_dense_every_activation(act):
    rng = np.random.default_rng(1)
    net = Sequential([Dense(3, 4, act, alpha=0.2), Dense(4, 2, "identity")], "half_sse", seed=2)
    check(net, rng.normal(size=(5, 3)), rng.normal(size=(5, 2)))


@pytest.mark.parametrize("act", ACTS)
def test_conv_every_activation(act):
    rng = np.random.default_rng(2)
    net = Sequential(
        [
            Conv2D(2, 3, 3, padding="same", activation=act, alpha=0.2),
            Flatten(),
            Dense(75, 2, "softmax"),
        ],
        "cross_entropy",
        seed=3,
    )
    check(net, rng.normal(size=(3, 2, 5, 5)), rng.integers(0, 2, 3), max_checks=25)


@pytest.mark.parametrize(
    "layers",
    [
        [Conv2D(1, 2, 3, stride=2, padding=1, activation="tanh"), MaxPool2D(2)],
        [Conv2D(1, 2, 2, stride=2, padding="same", activation="sigmoid"), AvgPool2D(2, 1)],
        [Conv2D(1, 2, 3, activation="softplus"), MaxPool2D(3, 1)],
        [AvgPool2D(3, 2), Conv2D(1, 2, 1, activation="leaky_relu")],
    ],
    ids=["conv-s2-p1+max", "conv-same-s2+avg-overlap", "conv+max-overlap", "avg+conv1x1"],
)
def test_conv_and_pool_combinations(layers):
    rng = np.random.default_rng(4)
    net = Sequential([*layers, Flatten()], "half_sse", seed=5)
    shape = net.output_shapes((1, 7, 7))[-1]
    net = Sequential([*layers, Flatten(), Dense(shape[0], 2)], "half_sse", seed=5)
    check(net, rng.normal(size=(2, 1, 7, 7)), rng.normal(size=(2, 2)))


@pytest.mark.parametrize("seed", range(4))
def test_random_networks(seed):
    rng = np.random.default_rng(50 + seed)
    loss = ["cross_entropy", "half_sse"][seed % 2]
    net = random_mlp(rng, loss, seed)
    x = rng.normal(size=(4, net.layers[0].n_in))
    check(net, x, targets(rng, net, 4, loss))
    cnn, shape = random_cnn(rng, loss, seed)
    check(cnn, rng.normal(size=(2, *shape)), targets(rng, cnn, 2, loss), max_checks=20)


def test_gradcheck_of_a_float32_network_runs_in_float64():
    rng = np.random.default_rng(0)
    net = Sequential(
        [Dense(2, 3, "tanh"), Dense(3, 2, "softmax")], "cross_entropy", dtype=np.float32
    )
    errs = gradcheck(net, rng.normal(size=(4, 2)), rng.integers(0, 2, 4))
    assert max(errs.values()) < TOL
    assert net.dtype == np.float32


def test_gradcheck_detects_a_wrong_gradient(monkeypatch):
    import engine.layers.dense as dense

    rng = np.random.default_rng(0)
    net = Sequential([Dense(2, 2, "tanh"), Dense(2, 1)], "half_sse", seed=0)
    orig = dense.dense_backward

    def broken(delta, cache, need_dx=True):
        dx, dW, db = orig(delta, cache, need_dx)
        return dx, dW * 1.01, db

    monkeypatch.setattr(net.layers[0], "backward", broken)
    errs = gradcheck(net, rng.normal(size=(3, 2)), rng.normal(size=(3, 1)))
    assert errs["W1"] > 1e-3 and errs["W2"] < TOL
