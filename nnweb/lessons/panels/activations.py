"""Lesson 7, activations: f and f', linear layers collapsing, ReLU and pooling commuting."""

from __future__ import annotations

from typing import Any

import numpy as np

from engine import activations as _acts
from engine.layers import Dense

from .inputs import (
    MAX_SAMPLES,
    LessonInputError,
    as_choice,
    as_float,
    as_int,
    rnd,
)
from .pooling import _pool

# --------------------------------------------------------------------------------------------
# activations
ACTIVATION_NAMES = ("relu", "leaky_relu", "sigmoid", "tanh", "softplus", "identity")


def activation_samples(
    name: Any = "relu", alpha: Any = 0.1, lo: Any = -4, hi: Any = 4, n: Any = 161
) -> dict[str, Any]:
    """f(u) and f'(u) on a grid, from the engine's activation table."""
    name = as_choice(name, "name", ACTIVATION_NAMES)
    alpha = as_float(alpha, "alpha", 0.0, 1.0)
    lo = as_float(lo, "lo", -50, 50)
    hi = as_float(hi, "hi", -50, 50)
    if hi <= lo:
        raise LessonInputError(f"hi: must be greater than lo ({lo}), got {hi}")
    n = as_int(n, "n", 2, MAX_SAMPLES)
    u = np.linspace(lo, hi, n)
    f = _acts.get(name).forward(u, alpha)
    df = _acts.derivative(name, u, alpha)
    return {"name": name, "alpha": alpha, "u": rnd(u, 6), "f": rnd(f, 6), "df": rnd(df, 6)}


def linear_collapse(seed: Any = 0, n_in: Any = 3, hidden: Any = 4, n_out: Any = 2) -> dict:
    """Two stacked linear (identity-activation) layers equal one layer with W = W2 W1 and
    b = W2 b1 + b2; with a ReLU in between they do not."""
    seed = as_int(seed, "seed", 0, 2**31 - 1)
    n_in, hidden, n_out = (
        as_int(n_in, "n_in", 1, 8),
        as_int(hidden, "hidden", 1, 8),
        as_int(n_out, "n_out", 1, 8),
    )
    rng = np.random.default_rng(seed)
    l1, l2 = Dense(n_in, hidden), Dense(hidden, n_out)
    l1.W, l1.b = rng.normal(size=(hidden, n_in)), rng.normal(size=hidden)
    l2.W, l2.b = rng.normal(size=(n_out, hidden)), rng.normal(size=n_out)
    one = Dense(n_in, n_out)
    one.W, one.b = l2.W @ l1.W, l2.W @ l1.b + l2.b
    x = rng.normal(size=(5, n_in))
    two_linear = l2.forward(l1.forward(x)[0])[0]
    single = one.forward(x)[0]
    relu_between = l2.forward(np.maximum(l1.forward(x)[0], 0))[0]
    return {
        "W1": rnd(l1.W, 4),
        "b1": rnd(l1.b, 4),
        "W2": rnd(l2.W, 4),
        "b2": rnd(l2.b, 4),
        "W": rnd(one.W, 4),
        "b": rnd(one.b, 4),
        "x": rnd(x, 4),
        "two_layers": rnd(two_linear, 6),
        "one_layer": rnd(single, 6),
        "with_relu": rnd(relu_between, 6),
        "max_diff_linear": float(np.abs(two_linear - single).max()),
        "max_diff_relu": float(np.abs(relu_between - single).max()),
    }


def relu_pool_commute(seed: Any = 0, side: Any = 6, size: Any = 2) -> dict[str, Any]:
    """ReLU(MaxPool(x)) == MaxPool(ReLU(x)) always; ReLU(AvgPool(x)) != AvgPool(ReLU(x))."""
    seed = as_int(seed, "seed", 0, 2**31 - 1)
    side = as_int(side, "side", 2, 12)
    k = as_int(size, "size", 1, side)
    x = np.random.default_rng(seed).normal(size=(side, side)).round(2)
    relu = lambda v: np.maximum(v, 0)
    mp = lambda v: _pool(v[None], "max", k, k)[0][0]
    ap = lambda v: _pool(v[None], "avg", k, k)[0][0]
    a, b = relu(mp(x)), mp(relu(x))
    c, d = relu(ap(x)), ap(relu(x))
    return {
        "x": rnd(x),
        "relu_of_max": rnd(a),
        "max_of_relu": rnd(b),
        "relu_of_avg": rnd(c),
        "avg_of_relu": rnd(d),
        "max_diff_max": float(np.abs(a - b).max()),
        "max_diff_avg": float(np.abs(c - d).max()),
    }
