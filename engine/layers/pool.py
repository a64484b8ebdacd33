"""Pooling layers (no parameters, a = u): max and average over size x size windows.

Output size: floor((H - size) / stride) + 1 (stride defaults to size: non-overlapping windows).
Max pool backward sends each delta to the position of its window's maximum (the first one on
ties, as PyTorch does); average pool backward spreads delta / size^2 over the window.
"""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import as_strided

from .base import Layer
from .conv import _check_pos_int


def pool_output_size(n: int, size: int, stride: int) -> int:
    return (n - size) // stride + 1


def _windows(x: np.ndarray, k: int, s: int, Ho: int, Wo: int) -> np.ndarray:
    sm, sc, sh, sw = x.strides
    m, C = x.shape[:2]
    return as_strided(
        x, shape=(m, C, Ho, Wo, k, k), strides=(sm, sc, sh * s, sw * s, sh, sw), writeable=False
    )


def max_pool_forward(x: np.ndarray, size: int = 2, stride: int | None = None):
    """u[n, c, y, x] = max over the window at (y*s, x*s).  Returns (u, cache)."""
    s = size if stride is None else stride
    m, C, H, W = x.shape
    Ho, Wo = pool_output_size(H, size, s), pool_output_size(W, size, s)
    win = _windows(x, size, s, Ho, Wo).reshape(m, C, Ho, Wo, size * size)
    idx = win.argmax(axis=-1)
    u = np.take_along_axis(win, idx[..., None], axis=-1)[..., 0]
    return u, (x.shape, size, s, idx)


def max_pool_backward(delta: np.ndarray, cache) -> np.ndarray:
    """dE_dx: delta routed to the arg-max of each window."""
    (m, C, H, W), k, s, idx = cache
    Ho, Wo = idx.shape[2:]
    if s == k:
        routed = (idx[..., None] == np.arange(k * k)) * delta[..., None]
        blocks = routed.reshape(m, C, Ho, Wo, k, k).transpose(0, 1, 2, 4, 3, 5)
        blocks = blocks.reshape(m, C, Ho * k, Wo * k)
        if Ho * k == H and Wo * k == W:
            return blocks
        dx = np.zeros((m, C, H, W), dtype=delta.dtype)
        dx[:, :, : Ho * k, : Wo * k] = blocks
        return dx
    dx = np.zeros((m, C, H, W), dtype=delta.dtype)
    he, we = s * (Ho - 1) + 1, s * (Wo - 1) + 1
    for p in range(k * k):
        i, j = divmod(p, k)
        dx[:, :, i : i + he : s, j : j + we : s] += np.where(idx == p, delta, 0)
    return dx


def avg_pool_forward(x: np.ndarray, size: int = 2, stride: int | None = None):
    """u[n, c, y, x] = mean over the window at (y*s, x*s).  Returns (u, cache)."""
    s = size if stride is None else stride
    m, C, H, W = x.shape
    Ho, Wo = pool_output_size(H, size, s), pool_output_size(W, size, s)
    u = _windows(x, size, s, Ho, Wo).mean(axis=(4, 5))
    return u, (x.shape, size, s)


def avg_pool_backward(delta: np.ndarray, cache) -> np.ndarray:
    """dE_dx: delta / size^2 spread over each window."""
    (m, C, H, W), k, s = cache
    Ho, Wo = delta.shape[2:]
    d = delta * (1.0 / (k * k))
    dx = np.zeros((m, C, H, W), dtype=delta.dtype)
    if s == k:
        dx[:, :, : Ho * k, : Wo * k] = np.broadcast_to(
            d[:, :, :, None, :, None], (m, C, Ho, k, Wo, k)
        ).reshape(m, C, Ho * k, Wo * k)
        return dx
    he, we = s * (Ho - 1) + 1, s * (Wo - 1) + 1
    for i in range(k):
        for j in range(k):
            dx[:, :, i : i + he : s, j : j + we : s] += d
    return dx


class _Pool(Layer):
    def __init__(self, size: int = 2, stride: int | None = None) -> None:
        name = type(self).__name__
        self.size = _check_pos_int(name, "size", size)
        self.stride = None if stride is None else _check_pos_int(name, "stride", stride)
        super().__init__("identity")

    @property
    def step(self) -> int:
        """The effective stride (stride, or size when stride is None)."""
        return self.size if self.stride is None else self.stride

    def config(self) -> dict:
        return {"size": self.size, "stride": self.stride}

    def output_shape(self, input_shape: tuple) -> tuple:
        input_shape = tuple(input_shape)
        if len(input_shape) != 3:
            raise ValueError(f"expects samples of shape (C, H, W), got sample shape {input_shape}")
        C, H, W = input_shape
        if H < self.size or W < self.size:
            raise ValueError(f"a {self.size}x{self.size} window does not fit a {H}x{W} input")
        s = self.step
        return (C, pool_output_size(H, self.size, s), pool_output_size(W, self.size, s))


class MaxPool2D(_Pool):
    def forward(self, x: np.ndarray):
        return max_pool_forward(x, self.size, self.step)

    def backward(self, delta: np.ndarray, cache, need_dx: bool = True):
        return (max_pool_backward(delta, cache) if need_dx else None), None, None


class AvgPool2D(_Pool):
    def forward(self, x: np.ndarray):
        return avg_pool_forward(x, self.size, self.step)

    def backward(self, delta: np.ndarray, cache, need_dx: bool = True):
        return (avg_pool_backward(delta, cache) if need_dx else None), None, None
