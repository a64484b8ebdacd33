"""The Layer base class: a linear part (forward/backward pair) followed by an activation f."""

from __future__ import annotations

import numpy as np

from .. import activations


class Layer:
    """A layer l computes u^(l) = g(a^(l-1)) and a^(l) = f(u^(l)).

    Subclasses implement ``forward(x) -> (u, cache)`` and
    ``backward(delta, cache, need_dx=True) -> (dE_dx, dE_dW, dE_db)`` (dE_dW/dE_db None without
    parameters), and ``output_shape(input_shape)`` for one sample (no batch axis).
    """

    has_params = False
    W: np.ndarray | None = None
    b: np.ndarray | None = None

    def __init__(self, activation: str = "identity", alpha: float = 0.01) -> None:
        self.alpha = float(alpha)
        self.activation = activation

    @property
    def activation(self) -> str:
        return self._activation

    @activation.setter
    def activation(self, name: str) -> None:
        act = activations.get(name)
        self._activation = name
        self._f = act.forward
        self._f_backward = act.backward

    # a = f(u)
    def activate(self, u: np.ndarray) -> np.ndarray:
        return self._f(u, self.alpha)

    # delta = dE/du = dE/da * f'(u)
    def activation_backward(self, dE_da: np.ndarray, u: np.ndarray, a: np.ndarray) -> np.ndarray:
        return self._f_backward(dE_da, u, a, self.alpha)

    def param_shapes(self) -> dict[str, tuple]:
        return {}

    def fans(self) -> tuple[int, int]:
        return (0, 0)

    def config(self) -> dict:
        """Constructor arguments (JSON-able); ``type(self)(**config)`` rebuilds the layer."""
        raise NotImplementedError

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.config().items())
        return f"{type(self).__name__}({args})"

    def per_sample_grads(self, delta: np.ndarray, cache) -> tuple[np.ndarray, np.ndarray]:
        raise NotImplementedError


def layer_error(index: int | None, layer: Layer, msg: str) -> ValueError:
    where = f"layer {index} ({type(layer).__name__})" if index is not None else type(layer).__name__
    return ValueError(f"{where}: {msg}")
