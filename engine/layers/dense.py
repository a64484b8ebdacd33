"""Fully connected layer:  u_j^(l) = sum_i w_ji^(l) a_i^(l-1) + b_j^(l),  a^(l) = f(u^(l)).

Batches are rows, so for a batch x of shape (m, n_in):  u = x W^T + b  with W of shape (n_out, n_in)
(W[j, i] is the notes' w_ji).

Backward (delta = dE/du of shape (m, n_out)):
  dE/dW_ji = sum_n delta_nj a_ni^(l-1)   ->  dE_dW = delta^T x
  dE/db_j  = sum_n delta_nj              ->  dE_db = delta.sum(0)
  dE/da_i^(l-1) = sum_j delta_j w_ji     ->  dE_dx = delta W

The products are ``ndarray.dot`` (the same BLAS call as ``@``, with less overhead per call) and
the bias gradient is ``col_sums`` (1^T delta): on the playground's small batches the cost of each
NumPy call, not the arithmetic, sets the speed (see engine/small.py).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ..small import col_sums
from .base import Layer


class DenseCache(NamedTuple):
    x: np.ndarray  # a^(l-1), the layer's input (m, n_in)
    W: np.ndarray


def dense_forward(x: np.ndarray, W: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, DenseCache]:
    """u = x W^T + b.  x (m, n_in), W (n_out, n_in), b (n_out,)  ->  (u (m, n_out), cache)."""
    u = x.dot(W.T)
    u += b
    return u, DenseCache(x, W)


def dense_backward(delta: np.ndarray, cache: DenseCache, need_dx: bool = True):
    """(dE_dx, dE_dW, dE_db) from delta = dE/du (m, n_out) and the forward cache."""
    x, W = cache
    dE_dW = delta.T.dot(x)
    dE_db = col_sums(delta)  # = delta.sum(axis=0)
    dE_dx = delta.dot(W) if need_dx else None
    return dE_dx, dE_dW, dE_db


class Dense(Layer):
    has_params = True

    def __init__(
        self, n_in: int, n_out: int, activation: str = "identity", alpha: float = 0.01
    ) -> None:
        for name, v in (("n_in", n_in), ("n_out", n_out)):
            if not isinstance(v, int | np.integer) or isinstance(v, bool) or v < 1:
                raise ValueError(f"Dense: {name} must be a positive integer, got {v!r}")
        super().__init__(activation, alpha)
        self.n_in = int(n_in)
        self.n_out = int(n_out)
        self.W = np.zeros((self.n_out, self.n_in))
        self.b = np.zeros(self.n_out)

    def config(self) -> dict:
        return {
            "n_in": self.n_in,
            "n_out": self.n_out,
            "activation": self.activation,
            "alpha": self.alpha,
        }

    def param_shapes(self) -> dict[str, tuple]:
        return {"W": (self.n_out, self.n_in), "b": (self.n_out,)}

    def fans(self) -> tuple[int, int]:
        return self.n_in, self.n_out

    def output_shape(self, input_shape: tuple) -> tuple:
        input_shape = tuple(input_shape)
        if input_shape != (self.n_in,):
            raise ValueError(
                f"expects {self.n_in} input features per sample, got sample shape {input_shape}"
                + (" (add a Flatten layer before it)" if len(input_shape) > 1 else "")
            )
        return (self.n_out,)

    def forward(self, x: np.ndarray):
        return dense_forward(x, self.W, self.b)

    def backward(self, delta: np.ndarray, cache, need_dx: bool = True):
        return dense_backward(delta, cache, need_dx)

    def per_sample_grads(self, delta: np.ndarray, cache):
        """Per-sample gradients of E_n from per-sample deltas (m, n_out).

        Returns dE_n/dW (m, n_out, n_in) and dE_n/db (m, n_out)."""
        x = cache.x
        return delta[:, :, None] * x[:, None, :], delta
