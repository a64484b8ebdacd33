"""Lessons 2 and 3, forward and back propagation: one small network, every number."""

from __future__ import annotations

from typing import Any

import numpy as np

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
    from engine import Dense, Sequential

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
    from engine import SGD

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
