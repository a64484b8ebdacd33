"""Building blocks of the detection model, forward and backward side by side.

Feature maps inside the detection model are channels-last, (N, H, W, C): a 3x3
convolution is then one im2col matrix (N*H*W, 9*C) built from nine shifted views
and one BLAS product. Weights keep the ONNX/PyTorch layouts so that export is a copy:
Conv W (C_out, C_in, k, k), ConvTranspose W (C_in, C_out, 2, 2), Dense W (n_out, n_in)
(``W[j, i]`` is the notes' w_ji, u = a W^T + b).

Each ``*_forward`` returns ``(out, cache)``; each ``*_backward(dout, cache)`` returns the
gradients (dE/d input and, for layers with parameters, dE_dW, dE_db).

The dense layers are the core library's (``engine.layers.dense_forward`` / ``dense_backward``)
and ReLU is ``engine.activations``' (f, f' and backward in one place), max pooling is the
core ``max_pool_forward`` / ``max_pool_backward`` on a transposed view; only the channels-last
convolution and the 2x2 transposed convolution live here (see README.md: why the layout
differs).

The two heads of Mask R-CNN:

box head
    RoI Align 7x7 features (R, C, 7, 7) -> flatten -> Dense+ReLU -> Dense+ReLU -> class
    logits (R, n_classes) and class-specific box deltas (R, 4 n_classes).
mask head
    RoI Align 14x14 features (R, 14, 14, C) -> two 3x3 Conv+ReLU -> 2x2 stride-2
    ConvTranspose+ReLU (28x28) -> 1x1 Conv to one mask logit map per foreground class
    (R, 28, 28, n_classes - 1). Only the true class's map is trained (losses.mask_loss).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numpy.lib.stride_tricks import as_strided

from engine.activations import ACTIVATIONS, relu
from engine.layers import dense_backward, dense_forward, max_pool_backward, max_pool_forward
from engine.layers.pool import MaxPoolCache

RELU = ACTIVATIONS["relu"]

# --------------------------------------------------------------------------- layers


class ConvNHWCCache(NamedTuple):
    cols: np.ndarray  # (N*Ho*Wo, k*k*C): row (n, y, x) is the window at (y, x), (i, j, c) order
    x_shape: tuple  # (N, H, W, C)
    W: np.ndarray
    pad: int


def _pad_hw(x: np.ndarray, pad: int) -> np.ndarray:
    """x (N, H, W, C) with ``pad`` zero rows and columns on each side (np.zeros and one
    assignment: np.pad's per-call overhead is a sizeable part of a small convolution)."""
    N, H, Wd, C = x.shape
    xp = np.zeros((N, H + 2 * pad, Wd + 2 * pad, C), dtype=x.dtype)
    xp[:, pad : pad + H, pad : pad + Wd] = x
    return xp


def _windows(xp: np.ndarray, k: int, Ho: int, Wo: int) -> np.ndarray:
    """Read-only view (N, Ho, Wo, k, k, C) of the padded xp: [n, y, x, i, j, c] is
    xp[n, y + i, x + j, c]. No copy; reshaped to (N*Ho*Wo, k*k*C) it is im2col's matrix, and
    that one copy runs over k*C contiguous values at a time (the (j, c) axes of a window row
    are adjacent in memory), not over C at a time as k*k separate shifted copies would."""
    sN, sH, sW, sC = xp.strides
    N, C = xp.shape[0], xp.shape[3]
    return as_strided(xp, (N, Ho, Wo, k, k, C), (sN, sH, sW, sH, sW, sC), writeable=False)


def _im2col(xp: np.ndarray, k: int, Ho: int, Wo: int) -> np.ndarray:
    return np.ascontiguousarray(_windows(xp, k, Ho, Wo)).reshape(-1, k * k * xp.shape[3])


def _column_sums(a2: np.ndarray) -> np.ndarray:
    """Sum over the rows of a tall (M, C) matrix as ones (M,) @ a2: a BLAS product is over ten
    times faster than a2.sum(axis=0) when C is small (NumPy then adds short rows one by one)."""
    return np.ones(a2.shape[0], dtype=a2.dtype) @ a2


def conv_forward(x: np.ndarray, W: np.ndarray, b: np.ndarray, pad: int = 0):
    """Stride-1 convolution of channels-last ``x`` (N, H, W, C_in) with W (C_out, C_in, k, k):
    u[n, y, x, o] = b[o] + sum_{i, j, c} W[o, c, i, j] x_pad[n, y + i, x + j, c], as one BLAS
    product u = cols @ W_m + b with cols = im2col(x_pad) (N*Ho*Wo, k*k*C_in) and
    W_m = W in (i, j, c) x o order (k*k*C_in, C_out)."""
    N, H, Wd, C = x.shape
    C_out, C_in, k, k2 = W.shape
    if C_in != C or k != k2:
        raise ValueError(f"conv: x {x.shape} (channels last) does not fit W {W.shape}")
    xp = _pad_hw(x, pad) if pad else x
    Ho, Wo = H + 2 * pad - k + 1, Wd + 2 * pad - k + 1
    cols = xp.reshape(-1, C) if k == 1 else _im2col(xp, k, Ho, Wo)
    u = cols @ W.transpose(2, 3, 1, 0).reshape(k * k * C, C_out)
    u += b
    return u.reshape(N, Ho, Wo, C_out), ConvNHWCCache(cols, x.shape, W, pad)


def conv_backward(du: np.ndarray, cache, need_dx: bool = True):
    """(dE_dx, dE_dW, dE_db) of ``conv_forward`` (dE_dx None when not ``need_dx``).

    With d = du as an (N*Ho*Wo, C_out) matrix: dE_dW = cols^T @ d, dE_db = column sums of d.
    dE_dx is the transposed convolution: du padded by k - 1 - pad, correlated with W turned
    by 180 degrees and with in/out channels swapped,
        dE_dx[n, y, x, c] = sum_{i, j, o} du_pad[n, y + i, x + j, o] W[o, c, k-1-i, k-1-j],
    i.e. im2col(du_pad) @ W_flip, one strided copy and one BLAS product. (The same sum as
    scattering dcols = d @ W_m^T back onto the k*k window positions, col2im, but that is k*k
    read-modify-write passes over C values at a time.)
    """
    cols, x_shape, W, pad = cache
    N, H, Wd, C = x_shape
    C_out, _, k, _ = W.shape
    du2 = du.reshape(-1, C_out)
    dE_dW = (cols.T @ du2).reshape(k, k, C, C_out).transpose(3, 2, 0, 1)
    dE_db = _column_sums(du2)
    if not need_dx:
        return None, dE_dW, dE_db
    if k == 1:
        return (du2 @ W.reshape(C_out, C)).reshape(x_shape), dE_dW, dE_db
    q = k - 1 - pad
    dcols = _im2col(_pad_hw(du, q) if q else du, k, H, Wd)
    W_flip = W[:, :, ::-1, ::-1].transpose(2, 3, 0, 1).reshape(k * k * C_out, C)
    return (dcols @ W_flip).reshape(x_shape), dE_dW, dE_db


def maxpool_forward(x: np.ndarray):
    """2x2 stride-2 max pooling (floor: an odd last row/column is dropped); the core
    ``max_pool_forward`` on the (N, C, H, W) view of x, so the output stays channels-last in
    memory. Returns (out (N, H/2, W/2, C), cache)."""
    out, cache = max_pool_forward(x.transpose(0, 3, 1, 2), 2, 2)
    return out.transpose(0, 2, 3, 1), cache


def maxpool_backward(dout: np.ndarray, cache: MaxPoolCache) -> np.ndarray:
    """dE_dx (N, H, W, C): each delta to its window's first maximum (core max_pool_backward)."""
    return max_pool_backward(dout.transpose(0, 3, 1, 2), cache).transpose(0, 2, 3, 1)


class DeconvCache(NamedTuple):
    x_rows: np.ndarray  # (N*H*W, C_in)
    x_shape: tuple
    W: np.ndarray


def deconv_forward(x: np.ndarray, W: np.ndarray, b: np.ndarray):
    """2x2 stride-2 transposed convolution, channels last; W (C_in, C_out, 2, 2)."""
    N, H, Wd, C = x.shape
    C_in, C_out = W.shape[:2]
    if C_in != C or W.shape[2:] != (2, 2):
        raise ValueError(f"deconv: x {x.shape} (channels last) does not fit W {W.shape}")
    Wm = W.transpose(0, 2, 3, 1).reshape(C_in, 4 * C_out)
    x2 = x.reshape(-1, C)
    u = (x2 @ Wm).reshape(N, H, Wd, 2, 2, C_out).transpose(0, 1, 3, 2, 4, 5)
    return u.reshape(N, 2 * H, 2 * Wd, C_out) + b, DeconvCache(x2, x.shape, W)


def deconv_backward(du: np.ndarray, cache):
    x2, x_shape, W = cache
    N, H, Wd, C = x_shape
    C_in, C_out = W.shape[:2]
    dur = du.reshape(N, H, 2, Wd, 2, C_out).transpose(0, 1, 3, 2, 4, 5).reshape(-1, 4 * C_out)
    Wm = W.transpose(0, 2, 3, 1).reshape(C_in, 4 * C_out)
    dE_dW = (x2.T @ dur).reshape(C_in, 2, 2, C_out).transpose(0, 3, 1, 2)
    dx = (dur @ Wm.T).reshape(x_shape)
    return dx, dE_dW, _column_sums(du.reshape(-1, C_out))


# --------------------------------------------------------------------------- heads


class BoxHeadCache(NamedTuple):
    feats_shape: tuple
    u1: np.ndarray
    fc1: tuple  # dense caches
    u2: np.ndarray
    fc2: tuple
    cls: tuple
    reg: tuple


def _check_dense(a: np.ndarray, W: np.ndarray, name: str) -> None:
    if a.shape[1] != W.shape[1]:
        raise ValueError(f"{name}: input {a.shape} does not fit W {W.shape}")


def box_head_forward(p: dict, feats: np.ndarray):
    """feats (R, C, 7, 7) -> (class logits (R, K), deltas (R, 4K)), cache."""
    R = feats.shape[0]
    a0 = feats.reshape(R, -1)
    _check_dense(a0, p["box_fc1.W"], "box_fc1")
    u1, c1 = dense_forward(a0, p["box_fc1.W"], p["box_fc1.b"])
    a1 = relu(u1)
    u2, c2 = dense_forward(a1, p["box_fc2.W"], p["box_fc2.b"])
    a2 = relu(u2)
    logits, c3 = dense_forward(a2, p["box_cls.W"], p["box_cls.b"])
    deltas, c4 = dense_forward(a2, p["box_reg.W"], p["box_reg.b"])
    return logits, deltas, BoxHeadCache(feats.shape, u1, c1, u2, c2, c3, c4)


def box_head_backward(d_logits: np.ndarray, d_deltas: np.ndarray, cache: BoxHeadCache, grads):
    """Adds the head's dE_dW/dE_db to ``grads``; returns dE/dfeats (R, C, 7, 7)."""
    c = cache
    da2_c, grads["box_cls.W"], grads["box_cls.b"] = dense_backward(d_logits, c.cls)
    da2_r, grads["box_reg.W"], grads["box_reg.b"] = dense_backward(d_deltas, c.reg)
    d2 = RELU.backward(da2_c + da2_r, c.u2, None)  # both outputs read a2
    da1, grads["box_fc2.W"], grads["box_fc2.b"] = dense_backward(d2, c.fc2)
    d1 = RELU.backward(da1, c.u1, None)
    da0, grads["box_fc1.W"], grads["box_fc1.b"] = dense_backward(d1, c.fc1)
    return da0.reshape(c.feats_shape)


class MaskHeadCache(NamedTuple):
    u1: np.ndarray
    conv1: ConvNHWCCache
    u2: np.ndarray
    conv2: ConvNHWCCache
    u3: np.ndarray
    up: DeconvCache
    out: ConvNHWCCache


def mask_head_forward(p: dict, feats: np.ndarray):
    """feats (R, 14, 14, C) channels last -> mask logits (R, 28, 28, n_fg), cache."""
    u1, c1 = conv_forward(feats, p["mask_conv1.W"], p["mask_conv1.b"], pad=1)
    u2, c2 = conv_forward(relu(u1), p["mask_conv2.W"], p["mask_conv2.b"], pad=1)
    u3, c3 = deconv_forward(relu(u2), p["mask_up.W"], p["mask_up.b"])
    logits, c4 = conv_forward(relu(u3), p["mask_out.W"], p["mask_out.b"], pad=0)
    return logits, MaskHeadCache(u1, c1, u2, c2, u3, c3, c4)


def mask_head_backward(d_logits: np.ndarray, cache: MaskHeadCache, grads: dict) -> np.ndarray:
    """Adds the head's gradients to ``grads``; returns dE/dfeats (R, 14, 14, C)."""
    c = cache
    da3, grads["mask_out.W"], grads["mask_out.b"] = conv_backward(d_logits, c.out)
    d3 = RELU.backward(da3, c.u3, None)
    da2, grads["mask_up.W"], grads["mask_up.b"] = deconv_backward(d3, c.up)
    d2 = RELU.backward(da2, c.u2, None)
    da1, grads["mask_conv2.W"], grads["mask_conv2.b"] = conv_backward(d2, c.conv2)
    d1 = RELU.backward(da1, c.u1, None)
    dx, grads["mask_conv1.W"], grads["mask_conv1.b"] = conv_backward(d1, c.conv1)
    return dx
