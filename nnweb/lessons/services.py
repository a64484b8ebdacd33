"""Lesson services: small, bounded computations behind the lessons' interactive panels.

Every function takes plain JSON-like values (lists, numbers, strings), validates them against
hard limits, computes with the NumPy engine and returns JSON-able dicts. Bad input raises
``LessonInputError`` (a ValueError) whose message names the field and what was wrong; the views
turn it into an HTTP 400.
"""

from __future__ import annotations

import functools
import math
import time
from collections.abc import Callable
from typing import Any

import numpy as np

from engine import activations as _acts
from engine.layers import (
    avg_pool_backward,
    avg_pool_forward,
    conv2d_forward,
    max_pool_backward,
    max_pool_forward,
    resolve_pads,
)

# --------------------------------------------------------------------------------------------
# limits (protect the server: every request stays well under a second)
MAX_DETAIL_SIDE = 16  # conv / pool with every window spelled out
MAX_IMAGE_SIDE = 64  # kernel presets applied to a real image
MAX_KERNEL_SIDE = 7
MAX_FILTERS = 6
MAX_SIGNAL = 256
MAX_CHANNELS = 4
MAX_SAMPLES = 401
MAX_CLASSES = 10
MAX_POINTS = 200
MAX_CALC_SIDE = 100_000


class LessonInputError(ValueError):
    """A lesson request carried a bad field; the message says which and why."""


# --------------------------------------------------------------------------------------------
# input helpers
def _int(value: Any, name: str, lo: int, hi: int) -> int:
    if isinstance(value, bool):
        raise LessonInputError(f"{name}: expected an integer, got {value!r}")
    try:
        f = float(value)
    except (TypeError, ValueError):
        raise LessonInputError(f"{name}: expected an integer, got {value!r}") from None
    if not math.isfinite(f) or f != int(f):
        raise LessonInputError(f"{name}: expected an integer, got {value!r}")
    v = int(f)
    if not lo <= v <= hi:
        raise LessonInputError(f"{name}: must be between {lo} and {hi}, got {v}")
    return v


def _float(value: Any, name: str, lo: float, hi: float) -> float:
    if isinstance(value, bool):
        raise LessonInputError(f"{name}: expected a number, got {value!r}")
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise LessonInputError(f"{name}: expected a number, got {value!r}") from None
    if not math.isfinite(v) or not lo <= v <= hi:
        raise LessonInputError(f"{name}: must be a number between {lo} and {hi}, got {value!r}")
    return v


def _choice(value: Any, name: str, choices: tuple[str, ...]) -> str:
    if value not in choices:
        raise LessonInputError(f"{name}: must be one of {', '.join(choices)}, got {value!r}")
    return value


def _array(value: Any, name: str, ndim: int, max_side: int, min_side: int = 1) -> np.ndarray:
    """A finite float64 array of exactly ``ndim`` dimensions, each side in [min_side, max_side]."""
    if value is None:
        raise LessonInputError(f"{name}: missing")
    try:
        arr = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise LessonInputError(
            f"{name}: expected a {ndim}-D array of numbers with rows of equal length"
        ) from None
    if arr.ndim != ndim:
        raise LessonInputError(f"{name}: expected a {ndim}-D array, got shape {arr.shape}")
    for axis, side in enumerate(arr.shape):
        if not min_side <= side <= max_side:
            raise LessonInputError(
                f"{name}: side {axis} has length {side}; allowed {min_side} to {max_side} "
                f"(shape {arr.shape})"
            )
    if not np.all(np.isfinite(arr)):
        bad = np.argwhere(~np.isfinite(arr))[0].tolist()
        raise LessonInputError(f"{name}: value at index {bad} is not a finite number")
    return arr


def _r(x: np.ndarray | float, digits: int = 10) -> Any:
    """Round for JSON (keeps the worked examples' integers exact and the payload small)."""
    if isinstance(x, np.ndarray):
        return np.round(x, digits).tolist()
    return round(float(x), digits)


# --------------------------------------------------------------------------------------------
# padding and output size
def resolve_padding(padding: Any, side: int, k: int, stride: int) -> tuple[int, int]:
    """(before, after) zero padding for 'valid', 'same' (Keras rule) or an integer P."""
    if padding in (None, "valid"):
        return 0, 0
    if padding == "same":
        out = -(-side // stride)  # ceil(W / S)
        total = max((out - 1) * stride + k - side, 0)
        return total // 2, total - total // 2
    p = _int(padding, "padding", 0, 16)
    return p, p


def output_size(width: Any, kernel: Any, padding: Any = "valid", stride: Any = 1) -> dict[str, Any]:
    """Output width of a convolution or pooling window: floor((W - K + 2P) / S) + 1.

    Also reports the notes' printed formula (W - K + 1) / S, and warns when the stride does not
    fit (W - K + 2P is not a multiple of S, so the last columns are never visited).
    """
    W = _int(width, "width", 1, MAX_CALC_SIDE)
    K = _int(kernel, "kernel", 1, MAX_CALC_SIDE)
    S = _int(stride, "stride", 1, MAX_CALC_SIDE)
    if padding not in ("valid", "same"):
        padding = _int(padding, "padding", 0, MAX_CALC_SIDE)
    if padding == "valid":
        pb = pa = 0
    elif padding == "same":
        pb, pa = resolve_padding("same", W, K, S)
    else:
        pb = pa = padding
    span = W + pb + pa - K
    if span < 0:
        raise LessonInputError(
            f"kernel: a {K}-wide window does not fit in a {W}-wide input padded by "
            f"{pb}+{pa} (padded width {W + pb + pa})"
        )
    out = span // S + 1
    leftover = span % S
    warning = None
    if leftover:
        warning = (
            f"stride {S} does not fit: (W - K + 2P) = {span} is not a multiple of {S}, so the "
            f"last {leftover} column(s) of the padded input are never covered by a window"
        )
    notes_value = (W - K + 1) / S
    return {
        "width": W,
        "kernel": K,
        "stride": S,
        "padding": padding,
        "pad_before": pb,
        "pad_after": pa,
        "output": out,
        "numerator": span,
        "leftover": leftover,
        "warning": warning,
        "notes_formula": notes_value,
        "notes_formula_agrees": bool(notes_value == out),
        "formula": "floor((W - K + P_before + P_after) / S) + 1",
    }


# --------------------------------------------------------------------------------------------
# convolution (cross-correlation, as every deep-learning library computes it)
def conv2d_volume(x: np.ndarray, kernels: np.ndarray, stride: int = 1, pads=0) -> np.ndarray:
    """Cross-correlate x (C,H,W) with kernels (F,C,K,K) through the engine's conv2d_forward.
    ``pads`` is an int, (ph, pw) or (top, bottom, left, right)."""
    u, _cache = conv2d_forward(x[None], kernels, np.zeros(kernels.shape[0]), stride, pads)
    return u[0]


def conv2d(image: Any, kernel: Any, stride: Any = 1, padding: Any = "valid") -> dict[str, Any]:
    """Slide ``kernel`` over ``image`` and spell out every window: the cells it covers, the
    products cell x weight, and their sum (the output cell)."""
    x = _array(image, "image", 2, MAX_DETAIL_SIDE)
    k = _array(kernel, "kernel", 2, MAX_KERNEL_SIDE)
    S = _int(stride, "stride", 1, 8)
    if k.shape[0] != k.shape[1]:
        raise LessonInputError(f"kernel: must be square, got shape {k.shape}")
    K = k.shape[0]
    H, W = x.shape
    if padding in (None, "valid", "same"):
        pads = resolve_pads(padding or "valid", H, W, K, K, S)
    else:
        p = _int(padding, "padding", 0, 3)
        pads = (p, p, p, p)
    pbh, pah, pbw, paw = pads
    xp = np.pad(x, ((pbh, pah), (pbw, paw)))
    if xp.shape[0] < K or xp.shape[1] < K:
        raise LessonInputError(
            f"kernel: a {K}x{K} kernel does not fit in the {xp.shape[0]}x{xp.shape[1]} "
            f"(padded) image"
        )
    out = conv2d_volume(x[None], k[None, None], S, pads)[0]
    windows = []
    for i in range(out.shape[0]):
        for j in range(out.shape[1]):
            r0, c0 = i * S, j * S
            patch = xp[r0 : r0 + K, c0 : c0 + K]
            prod = patch * k
            windows.append(
                {
                    "out": [i, j],
                    "top_left": [
                        r0 - pbh,
                        c0 - pbw,
                    ],  # in the unpadded image's coordinates
                    "products": _r(prod),
                    "sum": _r(prod.sum()),
                }
            )
    return {
        "image": _r(x),
        "kernel": _r(k),
        "padded": _r(xp),
        "pad": [pbh, pah, pbw, paw],
        "stride": S,
        "output": _r(out),
        "output_shape": list(out.shape),
        "windows": windows,
    }


KERNEL_PRESETS: dict[str, list[list[float]]] = {
    "notes_x": [[1, 0, 1], [0, 1, 0], [1, 0, 1]],
    "identity": [[0, 0, 0], [0, 1, 0], [0, 0, 0]],
    "blur": [[1 / 9] * 3] * 3,
    "sharpen": [[0, -1, 0], [-1, 5, -1], [0, -1, 0]],
    "edge_vertical": [[1, 0, -1], [2, 0, -2], [1, 0, -1]],
    "edge_horizontal": [[1, 2, 1], [0, 0, 0], [-1, -2, -1]],
    "edges": [[-1, -1, -1], [-1, 8, -1], [-1, -1, -1]],
}


def sample_image(name: str = "shapes", size: int = 32) -> np.ndarray:
    """A small grey image in [0, 1]: a square, a disc and a diagonal bar (deterministic)."""
    n = size
    yy, xx = np.mgrid[0:n, 0:n] / (n - 1)
    img = np.zeros((n, n))
    img[(xx > 0.1) & (xx < 0.45) & (yy > 0.1) & (yy < 0.45)] = 1.0
    img[(xx - 0.7) ** 2 + (yy - 0.3) ** 2 < 0.04] = 0.7
    img[np.abs(xx - yy + 0.35) < 0.06] = 0.5
    img[(yy > 0.65) & (yy < 0.9) & (xx > 0.55) & (xx < 0.9)] = 0.85
    return img


IMAGE_SOURCES = ("scene", "shapes", "digit")


def source_image(source: str, index: int = 0) -> np.ndarray:
    """A grey image in [0, 1]: the generated scene (32x32), one of the engine's shapes images
    (32x32) or one of the handwritten digits (8x8, each pixel blown up to 4x4)."""
    from engine import datasets as eds

    source = _choice(source, "source", IMAGE_SOURCES)
    if source == "scene":
        return sample_image()
    if source == "shapes":
        X, _y = eds.shapes(n=3, size=32, seed=index)
        return X[index % 3, 0]
    X, _y, _names = _digits()
    return np.kron(X[index % len(X), 0], np.ones((4, 4)))


def conv_image(
    kernel: Any = "edges", image: Any = None, padding: Any = "same", source: Any = "scene",
    index: Any = 0,
) -> dict[str, Any]:  # fmt: skip
    """Apply a preset or given kernel to a real grey image: the generated scene, an engine
    shapes image, a handwritten digit, or a given one."""
    if isinstance(kernel, str):
        _choice(kernel, "kernel", tuple(KERNEL_PRESETS))
        k = np.asarray(KERNEL_PRESETS[kernel], dtype=np.float64)
    else:
        k = _array(kernel, "kernel", 2, MAX_KERNEL_SIDE)
        if k.shape[0] != k.shape[1]:
            raise LessonInputError(f"kernel: must be square, got shape {k.shape}")
    if image is None:
        x = source_image(source, _int(index, "index", 0, 1000))
    else:
        x = _array(image, "image", 2, MAX_IMAGE_SIDE, 3)
    padding = _choice(padding, "padding", ("valid", "same"))
    K = k.shape[0]
    if K > min(x.shape):
        raise LessonInputError(f"kernel: {K}x{K} is larger than the {x.shape} image")
    pads = resolve_pads(padding, x.shape[0], x.shape[1], K, K, 1)
    out = conv2d_volume(x[None], k[None, None], 1, pads)[0]
    return {
        "image": _r(x, 4),
        "kernel": _r(k),
        "output": _r(out, 4),
        "presets": list(KERNEL_PRESETS),
    }


def conv_volume(image: Any = None, kernels: Any = None) -> dict[str, Any]:
    """Several filters over one image: each gives one depth slice of the output volume."""
    x = sample_image(size=24) if image is None else _array(image, "image", 2, MAX_IMAGE_SIDE, 3)
    if kernels is None:
        kernels = [
            KERNEL_PRESETS[n] for n in ("edge_vertical", "edge_horizontal", "blur", "notes_x")
        ]
    ks = _array(kernels, "kernels", 3, MAX_KERNEL_SIDE)
    if ks.shape[0] > MAX_FILTERS:
        raise LessonInputError(f"kernels: at most {MAX_FILTERS} filters, got {ks.shape[0]}")
    if ks.shape[1] != ks.shape[2]:
        raise LessonInputError(f"kernels: each must be square, got shape {ks.shape[1:]}")
    out = conv2d_volume(x[None], ks[:, None], 1, (0, 0))
    return {
        "image": _r(x, 4),
        "kernels": _r(ks, 4),
        "volume": _r(out, 4),
        "volume_shape": list(out.shape),
        "shape_text": f"{x.shape[0]}x{x.shape[1]} image, {ks.shape[0]} filters of "
        f"{ks.shape[1]}x{ks.shape[2]} -> {out.shape[1]}x{out.shape[2]}x{out.shape[0]} volume",
    }


def conv1d(signal: Any = None, kernel: Any = None) -> dict[str, Any]:
    """1-D discrete convolution (kernel flipped, the integral's g(t - tau)) and the
    cross-correlation a CNN layer computes (kernel not flipped), 'valid' part only."""
    if signal is None:
        t = np.arange(64)
        signal = np.sin(t / 5.0) + 0.3 * np.sign(np.sin(t / 1.7)) + (t > 40) * 1.0
    f = _array(signal, "signal", 1, MAX_SIGNAL, 2)
    g = _array([0.1, 0.2, 0.4, 0.2, 0.1] if kernel is None else kernel, "kernel", 1, 31)
    if len(g) > len(f):
        raise LessonInputError(f"kernel: length {len(g)} is longer than the signal ({len(f)})")
    conv = np.convolve(f, g, mode="valid")
    corr = np.correlate(f, g, mode="valid")
    return {
        "signal": _r(f),
        "kernel": _r(g),
        "convolution": _r(conv),
        "correlation": _r(corr),
        "offset": len(g) - 1,
        "symmetric_kernel": bool(np.allclose(g, g[::-1])),
    }


# --------------------------------------------------------------------------------------------
# pooling
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
        idx = cache[-1][0]  # (C, Ho, Wo) flat index inside each window
        Ho, Wo = idx.shape[1:]
        rows = np.arange(Ho)[None, :, None] * stride + idx // size
        cols = np.arange(Wo)[None, None, :] * stride + idx % size
        arg = np.stack([rows, cols], axis=-1)
    dx = None if upstream is None else bwd(upstream[None], cache)[0]
    return u[0], arg, dx


def pool(
    x: Any, mode: Any = "max", size: Any = 2, stride: Any = None, upstream: Any = None
) -> dict[str, Any]:
    """Max or average pooling of a (C,H,W) or (H,W) input, with the gradient routed back:
    dE/dx for an upstream dE/dy (all ones unless given)."""
    arr = np.asarray(x, dtype=object) if x is not None else None
    ndim = 3 if arr is not None and arr.ndim == 3 else 2
    a = _array(x, "x", ndim, MAX_DETAIL_SIDE)
    if ndim == 2:
        a = a[None]
    if a.shape[0] > MAX_CHANNELS:
        raise LessonInputError(f"x: at most {MAX_CHANNELS} channels, got {a.shape[0]}")
    mode = _choice(mode, "mode", ("max", "avg"))
    k = _int(size, "size", 1, 8)
    s = k if stride in (None, "") else _int(stride, "stride", 1, 8)
    C, H, W = a.shape
    if k > H or k > W:
        raise LessonInputError(f"size: a {k}x{k} window does not fit in a {H}x{W} input")
    Ho, Wo = (H - k) // s + 1, (W - k) // s + 1
    if upstream is None:
        up = np.ones((C, Ho, Wo))
    else:
        up = _array(upstream, "upstream", ndim, MAX_DETAIL_SIDE)
        up = up if ndim == 3 else up[None]
        if up.shape != (C, Ho, Wo):
            raise LessonInputError(
                f"upstream: shape {up.shape[-2:]} does not match the pooled output {(Ho, Wo)}"
            )
    out, arg, dx = _pool(a, mode, k, s, up)
    sq = (lambda v: v[0]) if ndim == 2 else (lambda v: v)
    return {
        "x": _r(sq(a)),
        "mode": mode,
        "size": k,
        "stride": s,
        "output": _r(sq(out)),
        "output_shape": list(sq(out).shape),
        "input_shape": list(sq(a).shape),
        "argmax": sq(arg).tolist() if arg is not None else None,
        "upstream": _r(sq(up)),
        "grad_input": _r(sq(dx)),
    }


# --------------------------------------------------------------------------------------------
# activations
ACTIVATION_NAMES = ("relu", "leaky_relu", "sigmoid", "tanh", "softplus", "identity")


def activation_samples(
    name: Any = "relu", alpha: Any = 0.1, lo: Any = -4, hi: Any = 4, n: Any = 161
) -> dict[str, Any]:
    """f(u) and f'(u) on a grid, from the engine's activation table."""
    name = _choice(name, "name", ACTIVATION_NAMES)
    alpha = _float(alpha, "alpha", 0.0, 1.0)
    lo = _float(lo, "lo", -50, 50)
    hi = _float(hi, "hi", -50, 50)
    if hi <= lo:
        raise LessonInputError(f"hi: must be greater than lo ({lo}), got {hi}")
    n = _int(n, "n", 2, MAX_SAMPLES)
    u = np.linspace(lo, hi, n)
    f = _acts.get(name).forward(u, alpha)
    df = _acts.derivative(name, u, alpha)
    return {"name": name, "alpha": alpha, "u": _r(u, 6), "f": _r(f, 6), "df": _r(df, 6)}


def linear_collapse(seed: Any = 0, n_in: Any = 3, hidden: Any = 4, n_out: Any = 2) -> dict:
    """Two stacked linear (identity-activation) layers equal one layer with W = W2 W1 and
    b = W2 b1 + b2; with a ReLU in between they do not."""
    from engine.layers import Dense

    seed = _int(seed, "seed", 0, 2**31 - 1)
    n_in, hidden, n_out = (
        _int(n_in, "n_in", 1, 8),
        _int(hidden, "hidden", 1, 8),
        _int(n_out, "n_out", 1, 8),
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
        "W1": _r(l1.W, 4),
        "b1": _r(l1.b, 4),
        "W2": _r(l2.W, 4),
        "b2": _r(l2.b, 4),
        "W": _r(one.W, 4),
        "b": _r(one.b, 4),
        "x": _r(x, 4),
        "two_layers": _r(two_linear, 6),
        "one_layer": _r(single, 6),
        "with_relu": _r(relu_between, 6),
        "max_diff_linear": float(np.abs(two_linear - single).max()),
        "max_diff_relu": float(np.abs(relu_between - single).max()),
    }


def relu_pool_commute(seed: Any = 0, side: Any = 6, size: Any = 2) -> dict[str, Any]:
    """ReLU(MaxPool(x)) == MaxPool(ReLU(x)) always; ReLU(AvgPool(x)) != AvgPool(ReLU(x))."""
    seed = _int(seed, "seed", 0, 2**31 - 1)
    side = _int(side, "side", 2, 12)
    k = _int(size, "size", 1, side)
    x = np.random.default_rng(seed).normal(size=(side, side)).round(2)
    relu = lambda v: np.maximum(v, 0)
    mp = lambda v: _pool(v[None], "max", k, k)[0][0]
    ap = lambda v: _pool(v[None], "avg", k, k)[0][0]
    a, b = relu(mp(x)), mp(relu(x))
    c, d = relu(ap(x)), ap(relu(x))
    return {
        "x": _r(x),
        "relu_of_max": _r(a),
        "max_of_relu": _r(b),
        "relu_of_avg": _r(c),
        "avg_of_relu": _r(d),
        "max_diff_max": float(np.abs(a - b).max()),
        "max_diff_avg": float(np.abs(c - d).max()),
    }


# --------------------------------------------------------------------------------------------
# likelihood
def nll_classification(probs: Any, true_class: Any) -> dict[str, Any]:
    """-log p of the true class for a predicted distribution (normalised if it does not sum
    to 1), and the cross-entropy -sum_k t_k log p_k that equals it."""
    p = _array(probs, "probs", 1, MAX_CLASSES, 2)
    if np.any(p < 0):
        raise LessonInputError("probs: probabilities cannot be negative")
    total = p.sum()
    if total <= 0:
        raise LessonInputError("probs: at least one probability must be positive")
    p = p / total
    k = _int(true_class, "true_class", 0, len(p) - 1)
    t = np.zeros_like(p)
    t[k] = 1
    with np.errstate(divide="ignore"):
        logp = np.log(p)
    nll = float(-logp[k])
    terms = np.where(t > 0, -t * logp, 0.0)
    return {
        "probs": _r(p),
        "true_class": k,
        "one_hot": _r(t),
        "nll": nll if math.isfinite(nll) else None,
        "cross_entropy_terms": [float(v) if math.isfinite(v) else None for v in terms],
        "likelihood": float(p[k]),
        "normalised_from": float(total),
    }


def gaussian_nll(y: Any, y_hat: Any, sigma: Any = 1.0) -> dict[str, Any]:
    """Gaussian NLL = 1/2 SSE / sigma^2 + N/2 log(2 pi sigma^2); the notes keep only 1/2 SSE."""
    yv = _array(y, "y", 1, MAX_POINTS)
    yh = _array(y_hat, "y_hat", 1, MAX_POINTS)
    if yv.shape != yh.shape:
        raise LessonInputError(f"y_hat: length {len(yh)} differs from y's length {len(yv)}")
    s = _float(sigma, "sigma", 1e-3, 1e3)
    N = len(yv)
    r = yv - yh
    half_sse = 0.5 * float(r @ r)
    const = 0.5 * N * math.log(2 * math.pi * s * s)
    dens = np.exp(-(r**2) / (2 * s * s)) / math.sqrt(2 * math.pi * s * s)
    with np.errstate(divide="ignore"):
        nll_direct = float(-np.log(dens).sum())
    return {
        "N": N,
        "sigma": s,
        "half_sse": half_sse,
        "scaled_half_sse": half_sse / (s * s),
        "constant": const,
        "nll": half_sse / (s * s) + const,
        "nll_direct": nll_direct if math.isfinite(nll_direct) else None,
        "residuals": _r(r),
    }


# --------------------------------------------------------------------------------------------
# why CNNs
def param_count(
    height: Any = 28,
    width: Any = 28,
    in_channels: Any = 1,
    kernel: Any = 3,
    out_channels: Any = 32,
    stride: Any = 1,
    padding: Any = "valid",
) -> dict[str, Any]:
    """Parameters of a conv layer against a dense layer producing the same output volume."""
    H = _int(height, "height", 1, 4096)
    W = _int(width, "width", 1, 4096)
    C = _int(in_channels, "in_channels", 1, 1024)
    F = _int(out_channels, "out_channels", 1, 4096)
    oh = output_size(H, kernel, padding, stride)
    ow = output_size(W, kernel, padding, stride)
    K = oh["kernel"]
    n_in = H * W * C
    n_out = oh["output"] * ow["output"] * F
    dense_w = n_in * n_out
    conv_w = K * K * C * F
    return {
        "input_shape": [H, W, C],
        "output_shape": [oh["output"], ow["output"], F],
        "dense_weights": dense_w,
        "dense_biases": n_out,
        "dense_params": dense_w + n_out,
        "conv_weights": conv_w,
        "conv_biases": F,
        "conv_params": conv_w + F,
        "ratio": (dense_w + n_out) / (conv_w + F),
        "inputs_per_output_dense": n_in,
        "inputs_per_output_conv": K * K * C,
        "warning": oh["warning"] or ow["warning"],
    }


def _shift(x: np.ndarray, dy: int, dx: int) -> np.ndarray:
    """Translate by (dy, dx), filling with zeros."""
    out = np.zeros_like(x)
    H, W = x.shape
    ys, yd = (slice(0, H - dy), slice(dy, H)) if dy >= 0 else (slice(-dy, H), slice(0, H + dy))
    xs, xd = (slice(0, W - dx), slice(dx, W)) if dx >= 0 else (slice(-dx, W), slice(0, W + dx))
    out[yd, xd] = x[ys, xs]
    return out


def equivariance(
    image: Any = None, kernel: Any = "edge_vertical", dy: Any = 2, dx: Any = 3
) -> dict[str, Any]:
    """conv(shift(x)) against shift(conv(x)) ('same' zero padding): equal wherever the
    border's zeros do not enter the window."""
    x = sample_image(size=16) if image is None else _array(image, "image", 2, 32, 3)
    if isinstance(kernel, str):
        k = np.asarray(KERNEL_PRESETS[_choice(kernel, "kernel", tuple(KERNEL_PRESETS))])
    else:
        k = _array(kernel, "kernel", 2, 5)
    dy = _int(dy, "dy", -(x.shape[0] - 1), x.shape[0] - 1)
    dx = _int(dx, "dx", -(x.shape[1] - 1), x.shape[1] - 1)
    K = k.shape[0]
    pad = ((K - 1) // 2, K - 1 - (K - 1) // 2)

    def conv(v):
        return conv2d_volume(v[None], k[None, None], 1, (*pad, *pad))[0]

    a = conv(_shift(x, dy, dx))
    b = _shift(conv(x), dy, dx)
    diff = np.abs(a - b)
    # cells whose window (in either order) never reaches the zero border nor the wrapped-in zeros
    margin = K
    H, W = x.shape
    inner = np.zeros_like(diff, dtype=bool)
    y0, y1 = max(dy, 0) + margin, H - max(-dy, 0) - margin
    x0, x1 = max(dx, 0) + margin, W - max(-dx, 0) - margin
    if y1 > y0 and x1 > x0:
        inner[y0:y1, x0:x1] = True
    return {
        "image": _r(x, 4),
        "kernel": _r(k, 4),
        "dy": dy,
        "dx": dx,
        "conv_then_shift": _r(b, 6),
        "shift_then_conv": _r(a, 6),
        "abs_diff": _r(diff, 6),
        "max_diff": float(diff.max()),
        "max_diff_interior": float(diff[inner].max()) if inner.any() else 0.0,
        "interior": inner.tolist(),
    }


# --------------------------------------------------------------------------------------------
# the notes' worked examples (the lesson pages start from these)
NOTES_IMAGE_5X5 = [
    [1, 1, 1, 0, 0],
    [0, 1, 1, 1, 0],
    [0, 0, 1, 1, 1],
    [0, 0, 1, 1, 0],
    [0, 1, 1, 0, 0],
]
NOTES_KERNEL_X = [[1, 0, 1], [0, 1, 0], [1, 0, 1]]
NOTES_POOL_4X4 = [[1, 1, 2, 4], [5, 6, 7, 8], [3, 2, 1, 0], [1, 2, 3, 4]]


def _timed(fn: Callable[[], Any]) -> tuple[Any, float]:
    t0 = time.perf_counter()
    v = fn()
    return v, time.perf_counter() - t0


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

    activation = _choice(activation, "activation", ("sigmoid", "tanh", "relu", "leaky_relu"))
    loss = _choice(loss, "loss", ("cross_entropy", "half_sse"))
    seed = _int(seed, "seed", 0, 2**31 - 1)
    lr = _float(lr, "lr", 1e-6, 100)
    xv = _array(x, "x", 1, 2, 2)
    if loss == "cross_entropy":
        yv: Any = np.array([_int(y, "y", 0, 1)])
    else:
        yv = np.array([[_float(y, "y", -100, 100)]])
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
                "W": _r(before[f"W{l}"], 6),
                "b": _r(before[f"b{l}"], 6),
                "u": _r(lt.u[0], 6),
                "a": _r(lt.a[0], 6),
                "dE_da": _r(lt.dE_da[0], 6),
                "delta": _r(lt.delta[0], 6),
                "dE_dW": _r(lt.dE_dW, 6),
                "dE_db": _r(lt.dE_db, 6),
                "update_W": _r(updates[f"W{l}"], 6),
                "update_b": _r(updates[f"b{l}"], 6),
                "W_after": _r(after[f"W{l}"], 6),
                "b_after": _r(after[f"b{l}"], 6),
            }
        )
    loss_after = float(net.trace(xv[None], yv).loss)
    return {
        "x": _r(xv),
        "y": _r(yv.reshape(-1)),
        "loss_name": loss,
        "lr": lr,
        "layers": layers,
        "y_hat": _r(tr.y_hat[0], 6),
        "loss": float(tr.loss),
        "loss_after": loss_after,
        "gradient_checks": fd_checks,
    }


# --------------------------------------------------------------------------------------------
# SGD: m = 1, m = 16, full batch; learning rates
def _moons(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    half = n // 2
    t = rng.uniform(0, np.pi, n)
    upper = np.c_[np.cos(t), np.sin(t)]
    lower = np.c_[1 - np.cos(t), 0.5 - np.sin(t)]
    x = np.where(np.arange(n)[:, None] < half, upper, lower)
    x = x + rng.normal(0, 0.15, size=x.shape)
    y = (np.arange(n) >= half).astype(np.int64)
    return (x - x.mean(0)) / x.std(0), y


def _train_curve(X, Y, batch_size: int, lr: float, epochs: int, seed: int) -> dict[str, Any]:
    from engine import SGD, Dense, Sequential, TrainingDiverged

    net = Sequential(
        [Dense(2, 8, activation="tanh"), Dense(8, 2, activation="softmax")],
        loss="cross_entropy",
        seed=seed,
    )
    opt = SGD(lr, batch_size=batch_size)
    epoch_loss = [net.evaluate(X, Y)["loss"]]
    step_loss: list[float] = []
    diverged = None
    t0 = time.perf_counter()
    for e in range(epochs):
        try:
            h = opt.fit(net, X, Y, epochs=1, shuffle=True, seed=seed * 1000 + e)
        except TrainingDiverged as exc:
            diverged = str(exc)
            break
        step_loss.extend(h["loss"])
        ev = net.evaluate(X, Y)["loss"]
        if not math.isfinite(ev):
            diverged = f"loss became {ev} after epoch {e + 1}"
            break
        epoch_loss.append(ev)
    wall = time.perf_counter() - t0
    ev = net.evaluate(X, Y) if diverged is None else {"accuracy": None}
    # thin the per-step curve to at most 400 points for the chart
    stride = max(1, len(step_loss) // 400)
    return {
        "batch_size": batch_size,
        "lr": lr,
        "epoch_loss": [float(v) if math.isfinite(v) else None for v in epoch_loss],
        "step_loss": [float(v) if math.isfinite(v) else None for v in step_loss[::stride]],
        "step_stride": stride,
        "updates": len(step_loss),
        "wall_s": wall,
        "accuracy": ev["accuracy"],
        "diverged": diverged,
    }


def sgd_compare(lr: Any = 0.3, epochs: Any = 15, seed: Any = 0, n: Any = 128) -> dict[str, Any]:
    """The same 2-8-2 network on the same two-moons data, trained with m = 1, m = 16 and the
    full batch for the same number of epochs (curves, updates, wall time)."""
    lr = _float(lr, "lr", 1e-4, 10)
    epochs = _int(epochs, "epochs", 1, 30)
    seed = _int(seed, "seed", 0, 10_000)
    n = _int(n, "n", 16, 160)
    X, Y = _moons(n, seed)
    runs = [_train_curve(X, Y, m, lr, epochs, seed) for m in (1, 16, n)]
    noise = _gradient_noise(X, Y, (1, 16, n), seed)
    for run, g in zip(runs, noise):
        run["gradient_noise"] = g
    return {"n": n, "epochs": epochs, "lr": lr, "runs": runs}


def _gradient_noise(X, Y, sizes, seed: int, draws: int = 64) -> list[float]:
    """At the starting weights: the root-mean-square distance between a random batch's mean
    gradient and the full-batch gradient, relative to the full gradient's length, for each
    batch size (shrinks roughly like 1/sqrt(m); exactly 0 for the full batch)."""
    from engine import Dense, Sequential

    net = Sequential(
        [Dense(2, 8, activation="tanh"), Dense(8, 2, activation="softmax")],
        loss="cross_entropy",
        seed=seed,
    )
    per = net.per_sample_gradients(X, Y)
    G = np.concatenate([v.reshape(len(X), -1) for v in per.values()], axis=1)  # (N, P)
    g = G.mean(axis=0)
    rng = np.random.default_rng(seed)
    out = []
    for m in sizes:
        d = [G[rng.choice(len(X), size=m, replace=False)].mean(axis=0) - g for _ in range(draws)]
        out.append(float(np.sqrt(np.mean([v @ v for v in d])) / np.linalg.norm(g)))
    return out


def lr_compare(
    rates: Any = (0.005, 0.5, 20.0), batch_size: Any = 16, epochs: Any = 20, seed: Any = 0
) -> dict[str, Any]:
    """One mini-batch size, three learning rates: too small, about right, too large."""
    if not isinstance(rates, list | tuple) or not 1 <= len(rates) <= 4:
        raise LessonInputError("rates: give 1 to 4 learning rates")
    lrs = [_float(v, f"rates[{i}]", 1e-5, 100) for i, v in enumerate(rates)]
    m = _int(batch_size, "batch_size", 4, 128)
    epochs = _int(epochs, "epochs", 1, 30)
    seed = _int(seed, "seed", 0, 10_000)
    X, Y = _moons(128, seed)
    runs = [_train_curve(X, Y, m, lr, epochs, seed) for lr in lrs]
    return {"batch_size": m, "epochs": epochs, "runs": runs}


# --------------------------------------------------------------------------------------------
# a small CNN trained from the page (lesson 9)
CNN_DATASETS = ("digits", "shapes")


@functools.lru_cache(maxsize=1)
def _digits() -> tuple[np.ndarray, np.ndarray, list[str]]:
    """The engine's copy of scikit-learn's 8x8 digits, (1797, 1, 8, 8) in [0, 1] (cached)."""
    from engine import datasets as eds

    X, y = eds.digits()
    return X, y, [str(i) for i in range(10)]


def _shapes(n: int = 1500, size: int = 12, seed: int = 0):
    """The engine's generated squares, circles and triangles, with a little noise."""
    from engine import datasets as eds

    X, y = eds.shapes(n=n, size=size, noise=0.1, seed=seed)
    return X, y, list(eds.SHAPE_CLASSES)


def cnn_train(
    dataset: Any = "digits", epochs: Any = 4, lr: Any = 0.3, filters: Any = 6, seed: Any = 0
) -> dict[str, Any]:
    """Train conv(3x3, ReLU) -> max-pool 2 -> flatten -> dense softmax on a small image set in a
    few seconds; return the history, feature maps of one example per class, the confusion
    matrix on the held-out images and the misclassified ones."""
    from engine import SGD, Conv2D, Dense, Flatten, MaxPool2D, Sequential

    dataset = _choice(dataset, "dataset", CNN_DATASETS)
    epochs = _int(epochs, "epochs", 1, 15)
    lr = _float(lr, "lr", 1e-4, 2)
    F = _int(filters, "filters", 1, 8)
    seed = _int(seed, "seed", 0, 10_000)
    X, y, names = _digits() if dataset == "digits" else _shapes(seed=seed)
    rng = np.random.default_rng(seed)
    order = rng.permutation(len(X))
    X, y = X[order], y[order]
    n_test = len(X) // 5
    Xte, yte, Xtr, ytr = X[:n_test], y[:n_test], X[n_test:], y[n_test:]
    side = X.shape[-1]
    K = len(names)
    conv_out = side - 2
    pooled = conv_out // 2
    net = Sequential(
        [
            Conv2D(1, F, 3, activation="relu"),
            MaxPool2D(2),
            Flatten(),
            Dense(F * pooled * pooled, K, activation="softmax"),
        ],
        loss="cross_entropy",
        seed=seed,
    )
    opt = SGD(lr, batch_size=32)
    history = []
    t0 = time.perf_counter()
    for e in range(epochs):
        h = opt.fit(net, Xtr, ytr, epochs=1, shuffle=True, seed=seed + e)
        ev = net.evaluate(Xte, yte)
        history.append(
            {
                "epoch": e + 1,
                "train_loss": float(np.mean(h["epoch_loss"])),
                "test_loss": ev["loss"],
                "test_accuracy": ev["accuracy"],
            }
        )
    wall = time.perf_counter() - t0
    probs = net.forward(Xte)
    pred = probs.argmax(axis=1)
    confusion = np.zeros((K, K), dtype=int)
    np.add.at(confusion, (yte, pred), 1)
    wrong = np.flatnonzero(pred != yte)[:12]
    # feature maps of one held-out example per class
    examples = []
    for c in range(K):
        idx = np.flatnonzero(yte == c)
        if not len(idx):
            continue
        i = int(idx[0])
        tr = net.trace(Xte[i : i + 1], yte[i : i + 1])
        examples.append(
            {
                "label": c,
                "image": _r(Xte[i, 0], 3),
                "conv": _r(tr.layers[0].a[0], 3),
                "pool": _r(tr.layers[1].a[0], 3),
                "flat_len": int(tr.layers[2].a.shape[1]),
                "probs": _r(tr.layers[3].a[0], 4),
            }
        )
    params = net.get_params()
    return {
        "dataset": dataset,
        "classes": names,
        "architecture": [
            f"input 1x{side}x{side}",
            f"Conv2D 3x3, {F} filters, ReLU -> {F}x{conv_out}x{conv_out}",
            f"MaxPool2D 2x2 -> {F}x{pooled}x{pooled}",
            f"Flatten -> {F * pooled * pooled}",
            f"Dense {F * pooled * pooled} -> {K}, softmax",
        ],
        "n_train": len(Xtr),
        "n_test": len(Xte),
        "history": history,
        "wall_s": wall,
        "kernels": _r(params["W1"][:, 0], 3),
        "confusion": confusion.tolist(),
        "accuracy": float((pred == yte).mean()),
        "misclassified": [
            {
                "image": _r(Xte[i, 0], 3),
                "true": int(yte[i]),
                "pred": int(pred[i]),
                "p": float(probs[i, pred[i]]),
            }
            for i in wrong
        ],
        "examples": examples,
    }


# --------------------------------------------------------------------------------------------
# Mask R-CNN: RoI pooling vs RoI Align, the mask head's per-class output
def _feature_map(H: int, W: int, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:H, 0:W]
    f = np.sin(yy / 2.3) + np.cos(xx / 3.1) + 0.5 * rng.random((H, W))
    return np.round(f, 2)


def roi_explain(
    size: Any = 17, output: Any = 7, method: Any = "roi_pool", sampling_ratio: Any = 2, mode="avg"
) -> dict[str, Any]:
    """A size x size RoI pooled to output x output, explained by engine.detection.explain_roi:
    bins, dropped and shared cells (RoI pooling) or sampling points and bilinear weights (RoI
    Align), over a feature map whose values are given too."""
    from engine.detection.explain import explain_roi

    size = _int(size, "size", 2, 32)
    out = _int(output, "output", 1, 14)
    method = _choice(method, "method", ("roi_pool", "roi_align"))
    sr = _int(sampling_ratio, "sampling_ratio", 1, 4)
    mode = _choice(mode, "mode", ("avg", "max"))
    side = size + (out + 1) // 2 + 2
    feat = _feature_map(side, side)
    if method == "roi_pool":
        # RoI pooling boxes include their end cell: (0, 0, size-1, size-1) is size x size cells
        res = explain_roi((0, 0, size - 1, size - 1), out, "roi_pool", feature=feat)
    else:
        res = explain_roi(
            (0, 0, size, size), out, "roi_align", feature=feat, sampling_ratio=sr, aligned=True,
            mode=mode,
        )  # fmt: skip
    res["feature"] = feat.tolist()
    res["size"] = size
    return res


def mask_head_demo(m: Any = 14, true_class: Any = 2, seed: Any = 0) -> dict[str, Any]:
    """The mask head's output for one RoI: one m x m map per foreground class. Only the true
    class's map enters the loss (mean binary cross-entropy over its m^2 pixels)."""
    from engine.detection.losses import mask_loss, sigmoid
    from engine.detection.shapes import shape_mask

    m = _int(m, "m", 4, 28)
    k = _int(true_class, "true_class", 1, 3)
    seed = _int(seed, "seed", 0, 10_000)
    rng = np.random.default_rng(seed)
    names = ["square", "circle", "triangle"]
    maps = np.stack(
        [shape_mask(c, m / 2, m / 2, m * 0.7, m, m).astype(float) for c in (1, 2, 3)], axis=-1
    )
    logits = 4.0 * (maps - 0.5) + rng.normal(0, 1.0, maps.shape)
    target = maps[:, :, k - 1]
    E, grad = mask_loss(logits[None], np.array([k]), target[None])
    # what penalising every class's map (all K m^2 logits) would give instead
    p = sigmoid(logits)
    eps = 1e-12
    all_maps = -(
        target[:, :, None] * np.log(p + eps) + (1 - target[:, :, None]) * np.log(1 - p + eps)
    ).mean()
    return {
        "m": m,
        "classes": names,
        "true_class": k,
        "probabilities": [_r(p[:, :, c], 3) for c in range(3)],
        "target": _r(target),
        "loss": float(E),
        "loss_all_maps": float(all_maps),
        "grad_nonzero_per_class": [bool(np.any(grad[0, :, :, c] != 0)) for c in range(3)],
        "outputs": 3 * m * m,
        "penalised": m * m,
    }
