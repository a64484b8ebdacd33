"""Pooling layers (no parameters, a = u): max and average over size x size windows.

Output size: floor((H - size) / stride) + 1 (stride defaults to size: non-overlapping windows).
Max pool backward sends each delta to the position of its window's maximum (the first one on
ties, as PyTorch does); average pool backward spreads delta / size^2 over the window.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .base import Layer
from .conv import _check_pos_int


def pool_output_size(n: int, size: int, stride: int) -> int:
    return (n - size) // stride + 1


def _offset_views(x: np.ndarray, k: int, s: int, Ho: int, Wo: int) -> list[np.ndarray]:
    """The k*k strided views x[:, :, i::s, j::s] (cropped to Ho x Wo), one per window offset
    (i, j) in row-major order: view p holds element p of every window. No copies."""
    he, we = s * (Ho - 1) + 1, s * (Wo - 1) + 1
    return [x[:, :, i : i + he : s, j : j + we : s] for i in range(k) for j in range(k)]


class MaxPoolCache(NamedTuple):
    x_shape: tuple
    size: int
    stride: int
    index: np.ndarray  # window position p = i * size + j of each maximum (the first on ties)


def max_pool_forward(x: np.ndarray, size: int = 2, stride: int | None = None):
    """u[n, c, y, x] = max over the window at (y*s, x*s).  Returns (u, cache); the cache keeps
    which window element was the maximum (the first one on ties)."""
    s = size if stride is None else stride
    m, C, H, W = x.shape
    Ho, Wo = pool_output_size(H, size, s), pool_output_size(W, size, s)
    views = _offset_views(x, size, s, Ho, Wo)
    if len(views) == 1:
        return views[0].copy(), MaxPoolCache(x.shape, size, s, np.zeros(views[0].shape, np.int8))
    if size == 2:
        # a two-round tournament, 3 comparisons per window; strict ">" keeps the first
        # maximum on ties (row-major order, as PyTorch)
        v00, v01, v10, v11 = views
        top, bottom = np.maximum(v00, v01), np.maximum(v10, v11)
        lower = bottom > top
        idx = np.where(lower, v11 > v10, v01 > v00).view(np.int8)  # 0 or 1: left or right
        idx += lower.view(np.int8) * np.int8(2)  # + 2 for the bottom row
        return np.maximum(top, bottom, out=top), MaxPoolCache(x.shape, size, s, idx)
    u = np.maximum(views[0], views[1])
    for v in views[2:]:
        np.maximum(u, v, out=u)
    idx = np.zeros(u.shape, np.int8 if len(views) < 128 else np.int32)
    for p in range(len(views) - 1, -1, -1):  # descending, so the first maximum wins
        np.putmask(idx, views[p] == u, p)
    return u, MaxPoolCache(x.shape, size, s, idx)


def max_pool_backward(delta: np.ndarray, cache: MaxPoolCache) -> np.ndarray:
    """dE_dx: each delta goes to the position of its window's maximum."""
    (m, C, H, W), k, s, idx = cache
    Ho, Wo = idx.shape[2:]
    covered = s == k and H == k * Ho and W == k * Wo  # every input in exactly one window
    alloc = np.empty if covered else np.zeros
    # dx in the memory order of the input (the index array has it): channel-major after a
    # convolution, channels-last in the detection model; the next backward step then reads it
    # without a copy
    order = sorted(range(4), key=lambda a: -idx.strides[a])  # axes, outermost in memory first
    dx = alloc(tuple((m, C, H, W)[a] for a in order), dtype=delta.dtype)
    dx = dx.transpose(np.argsort(order))
    for p, target in enumerate(_offset_views(dx, k, s, Ho, Wo)):
        if s >= k:  # windows do not overlap: each position is written once
            np.multiply(delta, idx == p, out=target)
        else:
            target += delta * (idx == p)
    return dx


def avg_pool_forward(x: np.ndarray, size: int = 2, stride: int | None = None):
    """u[n, c, y, x] = mean over the window at (y*s, x*s).  Returns (u, cache)."""
    s = size if stride is None else stride
    m, C, H, W = x.shape
    Ho, Wo = pool_output_size(H, size, s), pool_output_size(W, size, s)
    views = _offset_views(x, size, s, Ho, Wo)
    u = views[0] * (1.0 / (size * size))
    for v in views[1:]:
        u += v * (1.0 / (size * size))
    return u.astype(x.dtype, copy=False), (x.shape, size, s)


def avg_pool_backward(delta: np.ndarray, cache) -> np.ndarray:
    """dE_dx: delta / size^2 spread over each window."""
    (m, C, H, W), k, s = cache
    Ho, Wo = delta.shape[2:]
    d = (delta * (1.0 / (k * k))).astype(delta.dtype, copy=False)
    dx = np.zeros((m, C, H, W), dtype=delta.dtype)
    for target in _offset_views(dx, k, s, Ho, Wo):
        if s >= k:
            target[...] = d
        else:
            target += d
    return dx


class Pool2D(Layer):
    """The shared part of MaxPool2D and AvgPool2D."""

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


class MaxPool2D(Pool2D):
    def forward(self, x: np.ndarray):
        return max_pool_forward(x, self.size, self.step)

    def backward(self, delta: np.ndarray, cache, need_dx: bool = True):
        return (max_pool_backward(delta, cache) if need_dx else None), None, None


class AvgPool2D(Pool2D):
    def forward(self, x: np.ndarray):
        return avg_pool_forward(x, self.size, self.step)

    def backward(self, delta: np.ndarray, cache, need_dx: bool = True):
        return (avg_pool_backward(delta, cache) if need_dx else None), None, None
