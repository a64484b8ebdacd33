"""Lesson 5, why CNNs: parameter counts, and convolution commuting with shifts."""

from __future__ import annotations

from typing import Any

import numpy as np

from .convolution import KERNEL_PRESETS, conv2d_volume, output_size
from .images import sample_image
from .inputs import (
    as_array,
    as_choice,
    as_int,
    rnd,
)
from .pooling import shift


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
    H = as_int(height, "height", 1, 4096)
    W = as_int(width, "width", 1, 4096)
    C = as_int(in_channels, "in_channels", 1, 1024)
    F = as_int(out_channels, "out_channels", 1, 4096)
    oh = output_size(H, kernel, padding, stride)
    ow = output_size(W, kernel, padding, stride)
    K = oh["kernel"]
    n_in = H * W * C
    n_out = oh["output"] * ow["output"] * F
    dense_w = n_in * n_out
    conv_w = K * K * C * F
    return {
        "input_shape": [C, H, W],  # C x H x W, as everywhere in nnweb
        "output_shape": [F, oh["output"], ow["output"]],
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


def equivariance(
    image: Any = None, kernel: Any = "edge_vertical", dy: Any = 2, dx: Any = 3
) -> dict[str, Any]:
    """conv(shift(x)) against shift(conv(x)) ('same' zero padding): equal wherever the
    border's zeros do not enter the window."""
    x = sample_image(size=16) if image is None else as_array(image, "image", 2, 32, 3)
    if isinstance(kernel, str):
        k = np.asarray(KERNEL_PRESETS[as_choice(kernel, "kernel", tuple(KERNEL_PRESETS))])
    else:
        k = as_array(kernel, "kernel", 2, 5)
    dy = as_int(dy, "dy", -(x.shape[0] - 1), x.shape[0] - 1)
    dx = as_int(dx, "dx", -(x.shape[1] - 1), x.shape[1] - 1)
    K = k.shape[0]
    pad = ((K - 1) // 2, K - 1 - (K - 1) // 2)

    def conv(v):
        return conv2d_volume(v[None], k[None, None], 1, (*pad, *pad))[0]

    a = conv(shift(x, dy, dx))
    b = shift(conv(x), dy, dx)
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
        "image": rnd(x, 4),
        "kernel": rnd(k, 4),
        "dy": dy,
        "dx": dx,
        "conv_then_shift": rnd(b, 6),
        "shift_then_conv": rnd(a, 6),
        "abs_diff": rnd(diff, 6),
        "max_diff": float(diff.max()),
        "max_diff_interior": float(diff[inner].max()) if inner.any() else 0.0,
        "interior": inner.tolist(),
    }
