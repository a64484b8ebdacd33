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
    """Which element of each window was its maximum (the first one on ties, row-major order).

    2x2 windows with stride 2 keep two boolean masks (the reshape path of max_pool_forward);
    other windows keep ``index``. ``max_pool_argmax(cache)`` gives the index either way.
    """

    x_shape: tuple
    size: int
    stride: int
    index: np.ndarray | None  # window position p = i * size + j of each maximum
    right_wins: np.ndarray | None = None  # (m, C, Ho, 2, Wo): right > left, per window row
    bottom_wins: np.ndarray | None = None  # (m, C, Ho, Wo): bottom row's max > top row's


def _empty_like_order(shape: tuple, like: np.ndarray, dtype, zeros: bool = False) -> np.ndarray:
    """An array of ``shape`` laid out in memory in the axis order of ``like`` (same ndim):
    channel-major after a convolution, channels-last in the detection model, so that the next
    backward step reads dE_dx without a copy."""
    order = sorted(range(like.ndim), key=lambda a: -like.strides[a])  # outermost axis first
    a = (np.zeros if zeros else np.empty)(tuple(shape[i] for i in order), dtype=dtype)
    return a.transpose(np.argsort(order))


def _max_pool_2x2(x: np.ndarray, Ho: int, Wo: int):
    """2x2 stride-2 max pool by reshape: x (cropped to 2Ho x 2Wo) viewed as (m, C, Ho, 2, Wo, 2).

    First the two elements of each window row (one pass over the whole array with stride 2:
    the (Ho, 2, Wo) axes of the view merge into one), then the two row maxima. Strict ">" keeps
    the first maximum on ties in row-major order (as PyTorch): right only if greater than left,
    bottom only if greater than top.
    """
    m, C = x.shape[:2]
    pairs = x[:, :, : 2 * Ho, : 2 * Wo].reshape(m, C, Ho, 2, Wo, 2)  # a view: axes only split
    left, right = pairs[..., 0], pairs[..., 1]
    row_max = np.maximum(left, right)  # (m, C, Ho, 2, Wo), in x's memory order
    top, bottom = row_max[:, :, :, 0], row_max[:, :, :, 1]
    cache = MaxPoolCache(x.shape, 2, 2, None, right > left, bottom > top)
    return np.maximum(top, bottom), cache


def max_pool_forward(x: np.ndarray, size: int = 2, stride: int | None = None):
    """u[n, c, y, x] = max over the window at (y*s, x*s).  Returns (u, cache); the cache keeps
    which window element was the maximum (the first one on ties)."""
    s = size if stride is None else stride
    m, C, H, W = x.shape
    Ho, Wo = pool_output_size(H, size, s), pool_output_size(W, size, s)
    if size == 2 and s == 2:
        return _max_pool_2x2(x, Ho, Wo)
    views = _offset_views(x, size, s, Ho, Wo)
    if len(views) == 1:
        u = views[0].copy(order="K")  # K: in x's memory order, like every output here
        return u, MaxPoolCache(x.shape, size, s, np.zeros_like(u, dtype=np.int8))
    u = np.maximum(views[0], views[1])
    for v in views[2:]:
        np.maximum(u, v, out=u)
    idx = np.zeros_like(u, dtype=np.int8 if len(views) < 128 else np.int32)
    for p in range(len(views) - 1, -1, -1):  # descending, so the first maximum wins
        np.putmask(idx, views[p] == u, p)
    return u, MaxPoolCache(x.shape, size, s, idx)


def max_pool_argmax(cache: MaxPoolCache) -> np.ndarray:
    """(m, C, Ho, Wo) window position p = i * size + j of each window's (first) maximum."""
    if cache.index is not None:
        return cache.index
    bottom = cache.bottom_wins
    right = np.where(bottom, cache.right_wins[:, :, :, 1], cache.right_wins[:, :, :, 0])
    return 2 * bottom.astype(np.int8) + right


def max_pool_backward(delta: np.ndarray, cache: MaxPoolCache) -> np.ndarray:
    """dE_dx: each delta goes to the position of its window's maximum."""
    (m, C, H, W), k, s, idx = cache[:4]
    if idx is None:  # the 2x2 reshape path: route delta to the winning row, then column
        rw, bw = cache.right_wins, cache.bottom_wins
        Ho, Wo = bw.shape[2:]
        # x*True = x and x - x = 0 exactly, so these products only select (no rounding)
        rows = np.empty_like(rw, dtype=delta.dtype)  # (m, C, Ho, 2, Wo) in x's memory order
        np.multiply(delta, bw, out=rows[:, :, :, 1])
        np.subtract(delta, rows[:, :, :, 1], out=rows[:, :, :, 0])
        covered = H == 2 * Ho and W == 2 * Wo
        dx = _empty_like_order((m, C, H, W), bw, delta.dtype, zeros=not covered)
        pairs = dx[:, :, : 2 * Ho, : 2 * Wo].reshape(m, C, Ho, 2, Wo, 2)
        np.multiply(rows, rw, out=pairs[..., 1])
        np.subtract(rows, pairs[..., 1], out=pairs[..., 0])
        return dx
    Ho, Wo = idx.shape[2:]
    covered = s == k and H == k * Ho and W == k * Wo  # every input in exactly one window
    dx = _empty_like_order((m, C, H, W), idx, delta.dtype, zeros=not covered)
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
