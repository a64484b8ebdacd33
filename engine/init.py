"""Weight initialisers. Biases start at zero; W is drawn from the chosen rule.

An initialiser is a callable ``init(shape, fan_in, fan_out, rng) -> ndarray``.
  * ``normal(sigma)``: N(0, sigma^2)                        (the notes' "randomly initialise")
  * ``xavier``  (Glorot uniform): U(-r, r), r = sqrt(6 / (fan_in + fan_out))  — tanh, sigmoid,
    identity, softmax, softplus layers
  * ``he``      (He normal): N(0, 2 / fan_in)                — relu, leaky_relu layers
``Sequential(init=None)`` picks xavier or he per layer from its activation.
For a dense layer fan_in = n_in, fan_out = n_out; for a conv layer fan_in = C_in*k*k and
fan_out = C_out*k*k.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

Initializer = Callable[[tuple, int, int, np.random.Generator], np.ndarray]


def normal(sigma: float = 0.1) -> Initializer:
    """N(0, sigma^2) initialiser."""
    sigma = float(sigma)
    if not sigma > 0:
        raise ValueError(f"init normal: sigma must be > 0, got {sigma}")

    def init(shape, fan_in, fan_out, rng):
        return rng.normal(0.0, sigma, size=shape)

    init.__name__ = f"normal(sigma={sigma})"
    init.sigma = sigma
    return init


def xavier(shape, fan_in, fan_out, rng):
    r = np.sqrt(6.0 / (fan_in + fan_out))
    return rng.uniform(-r, r, size=shape)


def he(shape, fan_in, fan_out, rng):
    return rng.normal(0.0, np.sqrt(2.0 / fan_in), size=shape)


def default_for(activation: str) -> Initializer:
    return he if activation in ("relu", "leaky_relu") else xavier


def resolve(init) -> Initializer | None:
    """None (per-activation default), "normal" | "xavier" | "he", ("normal", sigma),
    {"name": "normal", "sigma": s} or a callable."""
    if init is None:
        return None
    if callable(init):
        return init
    if isinstance(init, str):
        if init == "normal":
            return normal()
        if init == "xavier":
            return xavier
        if init == "he":
            return he
    if isinstance(init, tuple | list) and len(init) == 2 and init[0] == "normal":
        return normal(init[1])
    if isinstance(init, dict) and init.get("name") in ("normal", "xavier", "he"):
        if init["name"] == "normal":
            return normal(init.get("sigma", 0.1))
        return resolve(init["name"])
    raise ValueError(
        f"unknown init {init!r}; use None, 'normal', 'xavier', 'he', ('normal', sigma) "
        "or a callable"
    )


def describe(init) -> object:
    """A JSON-able description of ``init`` for spec() (None when it cannot be described)."""
    if init is None or isinstance(init, str):
        return init
    if isinstance(init, tuple | list):
        return {"name": "normal", "sigma": float(init[1])}
    if isinstance(init, dict):
        return dict(init)
    if init is xavier:
        return "xavier"
    if init is he:
        return "he"
    if hasattr(init, "sigma"):
        return {"name": "normal", "sigma": init.sigma}
    return None
