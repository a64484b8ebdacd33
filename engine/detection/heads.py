"""Building blocks of the detection model, forward and backward side by side.

Feature maps inside the detection model are channels-last, (N, H, W, C): a 3x3
convolution is then one im2col matrix (N*H*W, 9*C) built from nine shifted views
and one BLAS product. Weights keep the ONNX/PyTorch layouts so that export is a copy:
Conv W (C_out, C_in, k, k), ConvTranspose W (C_in, C_out, 2, 2), Dense W (n_out, n_in)
(``W[j, i]`` is the notes' w_ji, u = a W^T + b).

Each ``*_forward`` returns ``(out, cache)``; each ``*_backward(dout, cache)`` returns the
gradients (dE/d input and, for layers with parameters, dE_dW, dE_db).

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

import numpy as np

# --------------------------------------------------------------------------- layers


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
    return u.reshape(N, Ho, Wo, C_out), (cols, x.shape, W, pad)


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


def relu_forward(u: np.ndarray):
    return np.maximum(u, 0), u


def relu_backward(da: np.ndarray, u: np.ndarray) -> np.ndarray:
    return da * (u > 0)


def maxpool_forward(x: np.ndarray):
    """2x2 stride-2 max pooling (floor: an odd last row/column is dropped)."""
    N, H, Wd, C = x.shape
    Hh, Wh = H // 2, Wd // 2
    xr = x[:, : 2 * Hh, : 2 * Wh].reshape(N, Hh, 2, Wh, 2, C)
    out = xr.max(axis=(2, 4))
    return out, (xr, out, x.shape)


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


def dense_forward(a: np.ndarray, W: np.ndarray, b: np.ndarray):
    """u = a W^T + b for rows ``a`` (m, n_in), W (n_out, n_in)."""
    if a.shape[1] != W.shape[1]:
        raise ValueError(f"dense: input {a.shape} does not fit W {W.shape}")
    return a @ W.T + b, (a, W)


def dense_backward(delta: np.ndarray, cache):
    a, W = cache
    return delta @ W, delta.T @ a, delta.sum(axis=0)


def deconv_forward(x: np.ndarray, W: np.ndarray, b: np.ndarray):
    """2x2 stride-2 transposed convolution, channels last; W (C_in, C_out, 2, 2)."""
    N, H, Wd, C = x.shape
    C_in, C_out = W.shape[:2]
    if C_in != C or W.shape[2:] != (2, 2):
        raise ValueError(f"deconv: x {x.shape} (channels last) does not fit W {W.shape}")
    Wm = W.transpose(0, 2, 3, 1).reshape(C_in, 4 * C_out)
    x2 = x.reshape(-1, C)
    u = (x2 @ Wm).reshape(N, H, Wd, 2, 2, C_out).transpose(0, 1, 3, 2, 4, 5)
    return u.reshape(N, 2 * H, 2 * Wd, C_out) + b, (x2, x.shape, W)


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


def box_head_forward(p: dict, feats: np.ndarray):
    """feats (R, C, 7, 7) -> (class logits (R, K), deltas (R, 4K)), cache."""
    R = feats.shape[0]
    a0 = feats.reshape(R, -1)
    u1, c1 = dense_forward(a0, p["box_fc1.W"], p["box_fc1.b"])
    a1 = np.maximum(u1, 0)
    u2, c2 = dense_forward(a1, p["box_fc2.W"], p["box_fc2.b"])
    a2 = np.maximum(u2, 0)
    logits, c3 = dense_forward(a2, p["box_cls.W"], p["box_cls.b"])
    deltas, c4 = dense_forward(a2, p["box_reg.W"], p["box_reg.b"])
    return logits, deltas, (feats.shape, u1, c1, u2, c2, c3, c4)


def box_head_backward(d_logits: np.ndarray, d_deltas: np.ndarray, cache, grads: dict):
    """Adds the head's dE_dW/dE_db to ``grads``; returns dE/dfeats (R, C, 7, 7)."""
    shape, u1, c1, u2, c2, c3, c4 = cache
    da2_c, grads["box_cls.W"], grads["box_cls.b"] = dense_backward(d_logits, c3)
    da2_r, grads["box_reg.W"], grads["box_reg.b"] = dense_backward(d_deltas, c4)
    d2 = (da2_c + da2_r) * (u2 > 0)
    da1, grads["box_fc2.W"], grads["box_fc2.b"] = dense_backward(d2, c2)
    d1 = da1 * (u1 > 0)
    da0, grads["box_fc1.W"], grads["box_fc1.b"] = dense_backward(d1, c1)
    return da0.reshape(shape)


def mask_head_forward(p: dict, feats: np.ndarray):
    """feats (R, 14, 14, C) channels last -> mask logits (R, 28, 28, n_fg), cache."""
    u1, c1 = conv_forward(feats, p["mask_conv1.W"], p["mask_conv1.b"], pad=1)
    a1 = np.maximum(u1, 0)
    u2, c2 = conv_forward(a1, p["mask_conv2.W"], p["mask_conv2.b"], pad=1)
    a2 = np.maximum(u2, 0)
    u3, c3 = deconv_forward(a2, p["mask_up.W"], p["mask_up.b"])
    a3 = np.maximum(u3, 0)
    logits, c4 = conv_forward(a3, p["mask_out.W"], p["mask_out.b"], pad=0)
    return logits, (u1, c1, u2, c2, u3, c3, c4)


def mask_head_backward(d_logits: np.ndarray, cache, grads: dict) -> np.ndarray:
    """Adds the head's gradients to ``grads``; returns dE/dfeats (R, 14, 14, C)."""
    u1, c1, u2, c2, u3, c3, c4 = cache
    da3, grads["mask_out.W"], grads["mask_out.b"] = conv_backward(d_logits, c4)
    da2, grads["mask_up.W"], grads["mask_up.b"] = deconv_backward(da3 * (u3 > 0), c3)
    da1, grads["mask_conv2.W"], grads["mask_conv2.b"] = conv_backward(da2 * (u2 > 0), c2)
    dx, grads["mask_conv1.W"], grads["mask_conv1.b"] = conv_backward(da1 * (u1 > 0), c1)
    return dx
