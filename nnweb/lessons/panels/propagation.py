"""Lessons 2 and 3, forward and back propagation: one small network, every number."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from engine import SGD, Dense, Sequential

from .inputs import (
    as_array,
    as_choice,
    as_float,
    as_int,
    rnd,
)


# --------------------------------------------------------------------------------------------
# forward and back propagation, one small network, every number
def _tiny_net(activation: str, loss: str, seed: int):
    out_act = "softmax" if loss == "cross_entropy" else "identity"
    n_out = 2 if loss == "cross_entropy" else 1
    return Sequential(
        [Dense(2, 3, activation=activation), Dense(3, n_out, activation=out_act)],
        loss=loss,
        seed=seed,
    )


def network_trace(
    x: Any = (0.5, -1.0),
    y: Any = 1,
    activation: Any = "sigmoid",
    loss: Any = "cross_entropy",
    lr: Any = 0.5,
    seed: Any = 0,
) -> dict[str, Any]:
    """One sample through a 2-3-K network: the forward quantities u, a of every layer, the
    loss, the backward quantities dE/da, delta, dE/dW, dE/db, and the SGD update."""
    activation = as_choice(activation, "activation", ("sigmoid", "tanh", "relu", "leaky_relu"))
    loss = as_choice(loss, "loss", ("cross_entropy", "half_sse"))
    seed = as_int(seed, "seed", 0, 2**31 - 1)
    lr = as_float(lr, "lr", 1e-6, 100)
    xv = as_array(x, "x", 1, 2, 2)
    if loss == "cross_entropy":
        yv: Any = np.array([as_int(y, "y", 0, 1)])
    else:
        yv = np.array([[as_float(y, "y", -100, 100)]])
    net = _tiny_net(activation, loss, seed)
    before = net.get_params()
    tr = net.trace(xv[None], yv)
    # finite-difference check of one weight per layer: (E(w + h) - E(w - h)) / 2h
    h = 1e-5
    fd_checks = []
    for lt in tr.layers:
        W = lt.layer.W
        w0 = W[0, 0]
        W[0, 0] = w0 + h
        e_plus = float(net.trace(xv[None], yv).loss)
        W[0, 0] = w0 - h
        e_minus = float(net.trace(xv[None], yv).loss)
        W[0, 0] = w0
        fd_checks.append(
            {
                "l": lt.l,
                "weight": "w_11",
                "backprop": float(lt.dE_dW[0, 0]),
                "finite_difference": (e_plus - e_minus) / (2 * h),
            }
        )
    updates = SGD(lr, batch_size=1).step(net, tr)
    after = net.get_params()
    layers = []
    for lt in tr.layers:
        l = lt.l
        layers.append(
            {
                "l": l,
                "activation": lt.layer.activation,
                "W": rnd(before[f"W{l}"], 6),
                "b": rnd(before[f"b{l}"], 6),
                "u": rnd(lt.u[0], 6),
                "a": rnd(lt.a[0], 6),
                "dE_da": rnd(lt.dE_da[0], 6),
                "delta": rnd(lt.delta[0], 6),
                "dE_dW": rnd(lt.dE_dW, 6),
                "dE_db": rnd(lt.dE_db, 6),
                "update_W": rnd(updates[f"W{l}"], 6),
                "update_b": rnd(updates[f"b{l}"], 6),
                "W_after": rnd(after[f"W{l}"], 6),
                "b_after": rnd(after[f"b{l}"], 6),
            }
        )
    loss_after = float(net.trace(xv[None], yv).loss)
    return {
        "x": rnd(xv),
        "y": rnd(yv.reshape(-1)),
        "loss_name": loss,
        "lr": lr,
        "layers": layers,
        "y_hat": rnd(tr.y_hat[0], 6),
        "loss": float(tr.loss),
        "loss_after": loss_after,
        "gradient_checks": fd_checks,
    }


def backprop_graph(
    x: Any = (0.5, -1.0), w: Any = (0.8, -0.4), b: Any = 0.1, y: Any = 1.0
) -> dict[str, Any]:
    """Back propagation as a computational graph: one sigmoid unit with two inputs and the
    half squared error, E = 1/2 (a - y)^2 with a = sigmoid(w1 x1 + w2 x2 + b).

    ``nodes`` are in forward order with their values; ``backward`` steps the chain rule node by
    node from E (each step: the node, its gradient dE/d(node), the local derivative used and
    the node it came from). ``layer`` is the same unit computed by the engine (a 2-1 Dense
    layer's trace), so the graph's numbers can be read again in the layer formulas
    delta = dE/da f'(u), dE/dw_i = delta x_i, dE/db = delta."""
    xv = as_array(list(x) if isinstance(x, tuple) else x, "x", 1, 2, 2)
    wv = as_array(list(w) if isinstance(w, tuple) else w, "w", 1, 2, 2)
    bv = as_float(b, "b", -100, 100)
    yv = as_float(y, "y", -100, 100)
    m1, m2 = wv[0] * xv[0], wv[1] * xv[1]
    u = m1 + m2 + bv
    a = 1.0 / (1.0 + math.exp(-u))
    E = 0.5 * (a - yv) ** 2
    dE_da = a - yv
    f_prime = a * (1 - a)
    delta = dE_da * f_prime
    nodes = [
        {"id": "x1", "label": "x₁", "value": xv[0], "kind": "input"},
        {"id": "w1", "label": "w₁", "value": wv[0], "kind": "weight"},
        {"id": "x2", "label": "x₂", "value": xv[1], "kind": "input"},
        {"id": "w2", "label": "w₂", "value": wv[1], "kind": "weight"},
        {"id": "b", "label": "b", "value": bv, "kind": "weight"},
        {"id": "m1", "label": "w₁·x₁", "value": m1, "kind": "op"},
        {"id": "m2", "label": "w₂·x₂", "value": m2, "kind": "op"},
        {"id": "u", "label": "u = Σ + b", "value": u, "kind": "op"},
        {"id": "a", "label": "a = σ(u)", "value": a, "kind": "op"},
        {"id": "E", "label": "E = ½(a − y)²", "value": E, "kind": "loss"},
    ]
    edges = [
        ["x1", "m1"], ["w1", "m1"], ["x2", "m2"], ["w2", "m2"],
        ["m1", "u"], ["m2", "u"], ["b", "u"], ["u", "a"], ["a", "E"],
    ]  # fmt: skip
    backward = [
        {"node": "E", "grad": 1.0, "from": None, "local": 1.0, "rule": "∂E/∂E = 1"},
        {"node": "a", "grad": dE_da, "from": "E", "local": dE_da,
         "rule": f"∂E/∂a = a − y = {a:.4f} − {yv:g} = {dE_da:.4f}"},
        {"node": "u", "grad": delta, "from": "a", "local": f_prime,
         "rule": f"∂E/∂u = ∂E/∂a · σ′(u) = {dE_da:.4f} · a(1 − a) = {dE_da:.4f} · {f_prime:.4f} "
         f"= {delta:.4f}"},
        {"node": "b", "grad": delta, "from": "u", "local": 1.0,
         "rule": f"∂E/∂b = ∂E/∂u · 1 = {delta:.4f}"},
        {"node": "m1", "grad": delta, "from": "u", "local": 1.0,
         "rule": f"∂E/∂(w₁x₁) = ∂E/∂u · 1 = {delta:.4f} (a sum passes its gradient on)"},
        {"node": "m2", "grad": delta, "from": "u", "local": 1.0,
         "rule": f"∂E/∂(w₂x₂) = ∂E/∂u · 1 = {delta:.4f}"},
        {"node": "w1", "grad": delta * xv[0], "from": "m1", "local": xv[0],
         "rule": f"∂E/∂w₁ = ∂E/∂(w₁x₁) · x₁ = {delta:.4f} · {xv[0]:g} = {delta * xv[0]:.4f}"},
        {"node": "x1", "grad": delta * wv[0], "from": "m1", "local": wv[0],
         "rule": f"∂E/∂x₁ = ∂E/∂(w₁x₁) · w₁ = {delta * wv[0]:.4f}"},
        {"node": "w2", "grad": delta * xv[1], "from": "m2", "local": xv[1],
         "rule": f"∂E/∂w₂ = ∂E/∂(w₂x₂) · x₂ = {delta:.4f} · {xv[1]:g} = {delta * xv[1]:.4f}"},
        {"node": "x2", "grad": delta * wv[1], "from": "m2", "local": wv[1],
         "rule": f"∂E/∂x₂ = ∂E/∂(w₂x₂) · w₂ = {delta * wv[1]:.4f}"},
    ]  # fmt: skip
    # the same unit through the engine: a 2-1 Dense layer, sigmoid, half squared error
    net = Sequential([Dense(2, 1, activation="sigmoid")], loss="half_sse", seed=0)
    net.layers[0].W = wv[None, :].copy()
    net.layers[0].b = np.array([bv])
    tr = net.trace(xv[None], np.array([[yv]]))
    lt = tr.layers[0]
    for step in backward:
        step["grad"] = float(step["grad"])
        step["local"] = float(step["local"])
    for n in nodes:
        n["value"] = float(n["value"])
    return {
        "nodes": nodes,
        "edges": edges,
        "backward": backward,
        "layer": {
            "u": float(lt.u[0, 0]),
            "a": float(lt.a[0, 0]),
            "E": float(tr.loss),
            "dE_da": float(lt.dE_da[0, 0]),
            "delta": float(lt.delta[0, 0]),
            "dE_dW": rnd(lt.dE_dW[0], 12),
            "dE_db": float(lt.dE_db[0]),
        },
    }
