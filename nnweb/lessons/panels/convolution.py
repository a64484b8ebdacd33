"""Lesson 6, convolution: windows spelled out, kernel presets, 1-D, volumes, output sizes."""

from __future__ import annotations

from typing import Any

import numpy as np

from engine.layers import conv2d_forward, resolve_pads

from .images import sample_image, source_image
from .inputs import (
    MAX_CALC_SIDE,
    MAX_DETAIL_SIDE,
    MAX_FILTERS,
    MAX_IMAGE_SIDE,
    MAX_KERNEL_SIDE,
    MAX_SIGNAL,
    LessonInputError,
    as_array,
    as_choice,
    as_int,
    rnd,
)

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
    p = as_int(padding, "padding", 0, 16)
    return p, p


def output_size(
    width: Any = 5, kernel: Any = 3, padding: Any = "valid", stride: Any = 1
) -> dict[str, Any]:
    """Output width of a convolution or pooling window: floor((W - K + 2P) / S) + 1.

    Also reports the notes' printed formula (W - K + 1) / S, and warns when the stride does not
    fit (W - K + 2P is not a multiple of S, so the last columns are never visited).
    """
    W = as_int(width, "width", 1, MAX_CALC_SIDE)
    K = as_int(kernel, "kernel", 1, MAX_CALC_SIDE)
    S = as_int(stride, "stride", 1, MAX_CALC_SIDE)
    if padding not in ("valid", "same"):
        padding = as_int(padding, "padding", 0, MAX_CALC_SIDE)
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


def conv2d(
    image: Any = None, kernel: Any = None, stride: Any = 1, padding: Any = "valid"
) -> dict[str, Any]:
    """Slide ``kernel`` over ``image`` and spell out every window: the cells it covers, the
    products cell x weight, and their sum (the output cell)."""
    x = as_array(NOTES_IMAGE_5X5 if image is None else image, "image", 2, MAX_DETAIL_SIDE)
    k = as_array(NOTES_KERNEL_X if kernel is None else kernel, "kernel", 2, MAX_KERNEL_SIDE)
    S = as_int(stride, "stride", 1, 8)
    if k.shape[0] != k.shape[1]:
        raise LessonInputError(f"kernel: must be square, got shape {k.shape}")
    K = k.shape[0]
    H, W = x.shape
    if padding in (None, "valid", "same"):
        pads = resolve_pads(padding or "valid", H, W, K, K, S)
    else:
        p = as_int(padding, "padding", 0, 3)
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
                    "products": rnd(prod),
                    "sum": rnd(prod.sum()),
                }
            )
    return {
        "image": rnd(x),
        "kernel": rnd(k),
        "padded": rnd(xp),
        "pad": [pbh, pah, pbw, paw],
        "stride": S,
        "output": rnd(out),
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


def conv_image(
    kernel: Any = "edges", image: Any = None, padding: Any = "same", source: Any = "scene",
    index: Any = 0,
) -> dict[str, Any]:  # fmt: skip
    """Apply a preset or given kernel to a real grey image: the generated scene, an engine
    shapes image, a handwritten digit, or a given one."""
    if isinstance(kernel, str):
        as_choice(kernel, "kernel", tuple(KERNEL_PRESETS))
        k = np.asarray(KERNEL_PRESETS[kernel], dtype=np.float64)
    else:
        k = as_array(kernel, "kernel", 2, MAX_KERNEL_SIDE)
        if k.shape[0] != k.shape[1]:
            raise LessonInputError(f"kernel: must be square, got shape {k.shape}")
    if image is None:
        x = source_image(source, as_int(index, "index", 0, 1000))
    else:
        x = as_array(image, "image", 2, MAX_IMAGE_SIDE, 3)
    padding = as_choice(padding, "padding", ("valid", "same"))
    K = k.shape[0]
    if K > min(x.shape):
        raise LessonInputError(f"kernel: {K}x{K} is larger than the {x.shape} image")
    pads = resolve_pads(padding, x.shape[0], x.shape[1], K, K, 1)
    out = conv2d_volume(x[None], k[None, None], 1, pads)[0]
    return {
        "image": rnd(x, 4),
        "kernel": rnd(k),
        "output": rnd(out, 4),
        "presets": list(KERNEL_PRESETS),
    }


def conv_volume(image: Any = None, kernels: Any = None) -> dict[str, Any]:
    """Several filters over one image: each gives one depth slice of the output volume."""
    x = sample_image(size=24) if image is None else as_array(image, "image", 2, MAX_IMAGE_SIDE, 3)
    if kernels is None:
        kernels = [
            KERNEL_PRESETS[n] for n in ("edge_vertical", "edge_horizontal", "blur", "notes_x")
        ]
    ks = as_array(kernels, "kernels", 3, MAX_KERNEL_SIDE)
    if ks.shape[0] > MAX_FILTERS:
        raise LessonInputError(f"kernels: at most {MAX_FILTERS} filters, got {ks.shape[0]}")
    if ks.shape[1] != ks.shape[2]:
        raise LessonInputError(f"kernels: each must be square, got shape {ks.shape[1:]}")
    out = conv2d_volume(x[None], ks[:, None], 1, (0, 0))
    return {
        "image": rnd(x, 4),
        "kernels": rnd(ks, 4),
        "volume": rnd(out, 4),
        "volume_shape": list(out.shape),
        "shape_text": f"{x.shape[0]}x{x.shape[1]} image, {ks.shape[0]} filters of "
        f"{ks.shape[1]}x{ks.shape[2]} -> "
        f"{out.shape[0]}x{out.shape[1]}x{out.shape[2]} volume (C x H x W)",
    }


def conv1d(signal: Any = None, kernel: Any = None) -> dict[str, Any]:
    """1-D discrete convolution (kernel flipped, the integral's g(t - tau)) and the
    cross-correlation a CNN layer computes (kernel not flipped), 'valid' part only."""
    if signal is None:
        t = np.arange(64)
        signal = np.sin(t / 5.0) + 0.3 * np.sign(np.sin(t / 1.7)) + (t > 40) * 1.0
    f = as_array(signal, "signal", 1, MAX_SIGNAL, 2)
    g = as_array([0.1, 0.2, 0.4, 0.2, 0.1] if kernel is None else kernel, "kernel", 1, 31)
    if len(g) > len(f):
        raise LessonInputError(f"kernel: length {len(g)} is longer than the signal ({len(f)})")
    conv = np.convolve(f, g, mode="valid")
    corr = np.correlate(f, g, mode="valid")
    return {
        "signal": rnd(f),
        "kernel": rnd(g),
        "convolution": rnd(conv),
        "correlation": rnd(corr),
        "offset": len(g) - 1,
        "symmetric_kernel": bool(np.allclose(g, g[::-1])),
    }
