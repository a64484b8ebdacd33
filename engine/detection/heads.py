"""Building blocks of the detection model, forward and backward side by side.

Feature maps inside the detection model are channels-last, (N, H, W, C): a 3x3
convolution is then one im2col matrix (N*H*W, 9*C) built from nine shifted views
and one BLAS product. Weights keep the ONNX/PyTorch layouts so that export is a copy:
Conv W (C_out, C_in, k, k), ConvTranspose W (C_in, C_out, 2, 2), Dense W (n_out, n_in)
(``W[j, i]`` is the notes' w_ji, u = a W^T + b).

Each ``*_forward`` returns ``(out, cache)``; each ``*_backward(dout, cache)`` returns the
gradients (dE/d input and, for layers with parameters, dE_dW, dE_db).

The dense layers are the core library's (``engine.layers.dense_forward`` / ``dense_backward``)
and ReLU is ``engine.activations``' (f, f' and backward in one place); only the channels-last
convolution, pooling and the 2x2 transposed convolution live here (see README.md: why the
layout differs).

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

from engine.activations import ACTIVATIONS, relu
from engine.layers import dense_backward, dense_forward

RELU = ACTIVATIONS["relu"]

# --------------------------------------------------------------------------- layers


class ConvNHWCCache(NamedTuple):
    cols: np.ndarray  # (N*Ho*Wo, k*k*C): row (n, y, x) is the window at (y, x), (i, j, c) order
    x_shape: tuple  # (N, H, W, C)
    W: np.ndarray
    pad: int


def conv_forward(x: np.ndarray, W: np.ndarray, b: np.ndarray, pad: int = 0):
    """Stride-1 convolution of channels-last ``x`` (N, H, W, C_in) with W (C_out, C_in, k, k)."""
    N, H, Wd, C = x.shape
    C_out, C_in, k, k2 = W.shape
    if C_in != C or k != k2:
        raise ValueError(f"conv: x {x.shape} (channels last) does not fit W {W.shape}")
    xp = np.pad(x, ((0, 0), (pad, pad), (pad, pad), (0, 0))) if pad else x
    Ho, Wo = H + 2 * pad - k + 1, Wd + 2 * pad - k + 1
    if k == 1:
        cols = xp.reshape(-1, C)
    else:
        cols = np.empty((N, Ho, Wo, k, k, C), dtype=x.dtype)
        for i in range(k):
            for j in range(k):
                cols[:, :, :, i, j, :] = xp[:, i : i + Ho, j : j + Wo, :]
        cols = cols.reshape(-1, k * k * C)
    Wm = W.transpose(2, 3, 1, 0).reshape(k * k * C, C_out)
    u = cols @ Wm + b
    return u.reshape(N, Ho, Wo, C_out), ConvNHWCCache(cols, x.shape, W, pad)


def conv_backward(du: np.ndarray, cache, need_dx: bool = True):
    """(dE_dx, dE_dW, dE_db) of ``conv_forward`` (dE_dx None when not ``need_dx``)."""
    cols, x_shape, W, pad = cache
    N, H, Wd, C = x_shape
    C_out, _, k, _ = W.shape
    Ho, Wo = du.shape[1], du.shape[2]
    du2 = du.reshape(-1, C_out)
    Wm = W.transpose(2, 3, 1, 0).reshape(k * k * C, C_out)
    dE_dW = (cols.T @ du2).reshape(k, k, C, C_out).transpose(3, 2, 0, 1)
    dE_db = du2.sum(axis=0)
    if not need_dx:
        return None, dE_dW, dE_db
    dcols = du2 @ Wm.T
    if k == 1:
        dx = dcols.reshape(x_shape)
    else:
        dcols = dcols.reshape(N, Ho, Wo, k, k, C)
        dxp = np.zeros((N, H + 2 * pad, Wd + 2 * pad, C), dtype=du.dtype)
        for i in range(k):
            for j in range(k):
                dxp[:, i : i + Ho, j : j + Wo, :] += dcols[:, :, :, i, j, :]
        dx = dxp[:, pad : pad + H, pad : pad + Wd, :] if pad else dxp
    return dx, dE_dW, dE_db


class MaxPoolNHWCCache(NamedTuple):
    windows: np.ndarray  # (N, H/2, 2, W/2, 2, C) view of the input
    out: np.ndarray
    x_shape: tuple


def maxpool_forward(x: np.ndarray):
    """2x2 stride-2 max pooling (floor: an odd last row/column is dropped)."""
    N, H, Wd, C = x.shape
    Hh, Wh = H // 2, Wd // 2
    xr = x[:, : 2 * Hh, : 2 * Wh].reshape(N, Hh, 2, Wh, 2, C)
    out = xr.max(axis=(2, 4))
    return out, MaxPoolNHWCCache(xr, out, x.shape)


def maxpool_backward(dout: np.ndarray, cache) -> np.ndarray:
    xr, out, x_shape = cache
    N, H, Wd, C = x_shape
    win = xr == out[:, :, None, :, None, :]
    # route each window's gradient to its first maximum only
    flat = win.transpose(0, 1, 3, 5, 2, 4).reshape(-1, 4)
    idx = np.argmax(flat, axis=1)
    sel = np.zeros_like(flat)
    sel[np.arange(flat.shape[0]), idx] = True
    sel = sel.reshape(N, xr.shape[1], xr.shape[3], C, 2, 2).transpose(0, 1, 4, 2, 5, 3)
    dxr = sel * dout[:, :, None, :, None, :]
    dx = np.zeros(x_shape, dtype=dout.dtype)
    dx[:, : 2 * xr.shape[1], : 2 * xr.shape[3]] = dxr.reshape(
        N, 2 * xr.shape[1], 2 * xr.shape[3], C
    )
    return dx


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
    return dx, dE_dW, du.reshape(-1, C_out).sum(axis=0)


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
