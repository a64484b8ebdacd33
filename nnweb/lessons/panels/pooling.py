"""Lesson 8, pooling: max and average pooling with the gradient routed back."""

from __future__ import annotations

from typing import Any

import numpy as np

from engine.layers import (
    avg_pool_backward,
    avg_pool_forward,
    max_pool_argmax,
    max_pool_backward,
    max_pool_forward,
)

from .inputs import (
    MAX_CHANNELS,
    MAX_DETAIL_SIDE,
    LessonInputError,
    as_array,
    as_choice,
    as_int,
    rnd,
)

# --------------------------------------------------------------------------------------------
# pooling
# The notes' 4x4 example (max pooling 2x2, stride 2 gives [[6, 8], [3, 4]]).
NOTES_POOL_4X4 = [[1, 1, 2, 4], [5, 6, 7, 8], [3, 2, 1, 0], [1, 2, 3, 4]]


def _pool(x: np.ndarray, mode: str, size: int, stride: int, upstream: np.ndarray | None = None):
    """Engine pooling of x (C,H,W): (output, argmax (C,Ho,Wo,2) or None, dE/dx or None)."""
    fwd, bwd = (
        (max_pool_forward, max_pool_backward)
        if mode == "max"
        else (avg_pool_forward, avg_pool_backward)
    )
    u, cache = fwd(x[None], size, stride)
    arg = None
    if mode == "max":
        idx = max_pool_argmax(cache)[0]  # (C, Ho, Wo) flat index inside each window
        Ho, Wo = idx.shape[1:]
        rows = np.arange(Ho)[None, :, None] * stride + idx // size
        cols = np.arange(Wo)[None, None, :] * stride + idx % size
        arg = np.stack([rows, cols], axis=-1)
    dx = None if upstream is None else bwd(upstream[None], cache)[0]
    return u[0], arg, dx


def pool(
    x: Any = None, mode: Any = "max", size: Any = 2, stride: Any = None, upstream: Any = None
) -> dict[str, Any]:
    """Max or average pooling of a (C,H,W) or (H,W) input, with the gradient routed back:
    dE/dx for an upstream dE/dy (all ones unless given)."""
    if x is None:
        x = NOTES_POOL_4X4
    try:
        ndim = 3 if np.asarray(x, dtype=np.float64).ndim == 3 else 2
    except (TypeError, ValueError, OverflowError):
        ndim = 2  # ragged or not numbers: as_array says what is wrong
    a = as_array(x, "x", ndim, MAX_DETAIL_SIDE)
    if ndim == 2:
        a = a[None]
    if a.shape[0] > MAX_CHANNELS:
        raise LessonInputError(f"x: at most {MAX_CHANNELS} channels, got {a.shape[0]}")
    mode = as_choice(mode, "mode", ("max", "avg"))
    k = as_int(size, "size", 1, 8)
    s = k if stride in (None, "") else as_int(stride, "stride", 1, 8)
    C, H, W = a.shape
    if k > H or k > W:
        raise LessonInputError(f"size: a {k}x{k} window does not fit in a {H}x{W} input")
    Ho, Wo = (H - k) // s + 1, (W - k) // s + 1
    if upstream is None:
        up = np.ones((C, Ho, Wo))
    else:
        up = as_array(upstream, "upstream", ndim, MAX_DETAIL_SIDE)
        up = up if ndim == 3 else up[None]
        if up.shape != (C, Ho, Wo):
            raise LessonInputError(
                f"upstream: shape {up.shape[-2:]} does not match the pooled output {(Ho, Wo)}"
            )
    out, arg, dx = _pool(a, mode, k, s, up)
    sq = (lambda v: v[0]) if ndim == 2 else (lambda v: v)
    return {
        "x": rnd(sq(a)),
        "mode": mode,
        "size": k,
        "stride": s,
        "output": rnd(sq(out)),
        "output_shape": list(sq(out).shape),
        "input_shape": list(sq(a).shape),
        "argmax": sq(arg).tolist() if arg is not None else None,
        "upstream": rnd(sq(up)),
        "grad_input": rnd(sq(dx)),
    }


# An 8x8 slice with seven bright points. Six sit in the left column of their 2x2 window, so a
# one-pixel shift to the right keeps them in the same window; the 3 at (3, 5) crosses into the
# next window. Max pooling then changes in one output of 16 although every point moved.
SHIFT_EXAMPLE = [[0.0] * 8 for _ in range(8)]
for (_r, _c), _v in {
    (1, 2): 9,
    (2, 4): 8,
    (4, 0): 7,
    (5, 6): 6,
    (6, 2): 5,
    (3, 5): 3,
    (7, 4): 2,
}.items():
    SHIFT_EXAMPLE[_r][_c] = float(_v)


def shift(x: np.ndarray, dy: int, dx: int) -> np.ndarray:
    """Translate a 2-D array by (dy, dx) cells, filling with zeros."""
    out = np.zeros_like(x)
    H, W = x.shape
    ys, yd = (slice(0, H - dy), slice(dy, H)) if dy >= 0 else (slice(-dy, H), slice(0, H + dy))
    xs, xd = (slice(0, W - dx), slice(dx, W)) if dx >= 0 else (slice(-dx, W), slice(0, W + dx))
    out[yd, xd] = x[ys, xs]
    return out


def pool_shift(
    x: Any = None, dy: Any = 0, dx: Any = 1, mode: Any = "max", size: Any = 2
) -> dict[str, Any]:
    """Small-translation invariance in numbers: shift the input by (dy, dx) cells and compare
    the pooled outputs (how many stay exactly the same) with the inputs (how many non-zero
    values moved)."""
    a = as_array(SHIFT_EXAMPLE if x is None else x, "x", 2, MAX_DETAIL_SIDE, 2)
    dy = as_int(dy, "dy", -2, 2)
    dx = as_int(dx, "dx", -2, 2)
    mode = as_choice(mode, "mode", ("max", "avg"))
    k = as_int(size, "size", 1, 4)
    if k > min(a.shape):
        raise LessonInputError(f"size: a {k}x{k} window does not fit in a {a.shape} input")
    b = shift(a, dy, dx)
    pa = _pool(a[None], mode, k, k)[0][0]
    pb = _pool(b[None], mode, k, k)[0][0]
    same_in = int(np.sum(a == b))
    moved = int(np.sum((a != 0) & (a != b)))
    same_out = int(np.sum(np.isclose(pa, pb)))
    return {
        "x": rnd(a),
        "shifted": rnd(b),
        "dy": dy,
        "dx": dx,
        "mode": mode,
        "size": k,
        "pooled": rnd(pa),
        "pooled_shifted": rnd(pb),
        "inputs_unchanged": same_in,
        "inputs": int(a.size),
        "outputs_unchanged": same_out,
        "outputs": int(pa.size),
        "max_change": float(np.abs(pa - pb).max()),
        "features": int(np.sum(a != 0)),
        "features_moved": moved,
    }
