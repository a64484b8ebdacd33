"""2-D convolution layer (cross-correlation, as deep-learning libraries compute it).

For a batch x (m, C, H, W) and kernels W (out, C, kh, kw):
  u[n, o, y, x] = b[o] + sum_{c, i, j} W[o, c, i, j] * x_pad[n, c, y*s + i, x*s + j]

Output size (the corrected formula of the notes, see ERRATA.md):
  H_out = floor((H + p_top + p_bottom - kh) / s) + 1
Padding: "valid" = no padding; "same" = Keras/ONNX SAME_UPPER: H_out = ceil(H / s), total padding
max((H_out - 1) s + kh - H, 0) split with the odd pixel at the end (bottom/right); an int p pads
p on every side.

im2col: a stride-tricks view of all kh x kw windows, copied once into
cols (C*kh*kw, m*H_out*W_out), turns the convolution into one BLAS matmul
  u = W.reshape(out, C*kh*kw) @ cols + b.
Backward: dE_dW = delta @ cols^T, dE_db = sum of delta over n, y, x, and dE_dx
scatters W^T @ delta[n] back onto the kh*kw window positions (col2im: a loop over the kh*kw
kernel offsets, never over samples or pixels). At stride 1 (with enough input channels) cols is
built on the padded grid, where both copies run over long contiguous slices (see _grid_cols).
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np
from numpy.lib.stride_tricks import as_strided

from .base import Layer


def conv_output_size(n: int, k: int, stride: int = 1, pad_total: int = 0) -> int:
    """floor((n + pad_total - k) / stride) + 1 (may be <= 0 when the kernel does not fit)."""
    return (n + pad_total - k) // stride + 1


def same_pads(n: int, k: int, stride: int = 1) -> tuple[int, int]:
    """SAME_UPPER padding (before, after) so that the output has ceil(n / stride) positions."""
    out = math.ceil(n / stride)
    total = max((out - 1) * stride + k - n, 0)
    return total // 2, total - total // 2


def resolve_pads(padding, H: int, W: int, kh: int, kw: int, stride: int):
    """(top, bottom, left, right) padding for "valid", "same" or an int."""
    if padding == "valid":
        return (0, 0, 0, 0)
    if padding == "same":
        return (*same_pads(H, kh, stride), *same_pads(W, kw, stride))
    p = int(padding)
    return (p, p, p, p)


def _pads4(pads) -> tuple[int, int, int, int]:
    if isinstance(pads, int | np.integer):
        return (int(pads),) * 4
    pads = tuple(int(p) for p in pads)
    if len(pads) == 2:
        return (pads[0], pads[0], pads[1], pads[1])
    return pads


def im2col_view(xp: np.ndarray, kh: int, kw: int, stride: int, Ho: int, Wo: int) -> np.ndarray:
    """Read-only view (m, C, kh, kw, Ho, Wo) of the (already padded) input: element
    [n, c, i, j, y, x] is xp[n, c, y*stride + i, x*stride + j]. No copy."""
    sm, sc, sh, sw = xp.strides
    m, C = xp.shape[:2]
    return as_strided(
        xp,
        shape=(m, C, kh, kw, Ho, Wo),
        strides=(sm, sc, sh, sw, sh * stride, sw * stride),
        writeable=False,
    )


def im2col(xp: np.ndarray, kh: int, kw: int, stride: int, Ho: int, Wo: int) -> np.ndarray:
    """cols (C*kh*kw + 1, m*Ho*Wo): column (n, y, x) is the window of sample n at (y, x),
    followed by a 1 (the bias trick, see _with_ones).

    One copy of the window view, ordered (c, i, j) x (n, y, x) so that the whole batch is a
    single matrix and the convolution a single BLAS product (no per-sample loop).
    """
    m, C = xp.shape[:2]
    view = im2col_view(xp, kh, kw, stride, Ho, Wo).transpose(1, 2, 3, 0, 4, 5)
    cols = _with_ones(C * kh * kw, m * Ho * Wo, xp.dtype)
    cols[:-1].reshape(view.shape)[...] = view
    return cols


def _with_ones(rows: int, n: int, dtype) -> np.ndarray:
    """An uninitialised (rows + 1, n) matrix whose last row is 1.

    The bias trick: with cols' last row 1 and W_b = [W | b], u = W_b @ cols adds b inside the
    BLAS product, and cols @ d^T gives [dE_dW | dE_db] in one product; the separate
    u += b and d.sum(axis=1) passes over the whole output cost more than the one extra row.
    """
    cols = np.empty((rows + 1, n), dtype=dtype)
    cols[-1] = 1
    return cols


def _grid_shape(x_shape: tuple, pads: tuple, Ho: int, Wo: int) -> tuple[int, int]:
    """(Hp, Wp): rows and columns per sample of the grid of _grid_cols.

    In the flattened grid the padding after a row is also the padding before the next row
    (and the rows after a sample the rows before the next sample), so a row needs only
    W + max(left, right) columns, not W + left + right: a window reading past the right edge
    of row y lands in the left padding of row y + 1, which is zero too. At least H_out x W_out,
    so that every output has its own grid position.
    """
    (_, _, H, W), (pt, pb, pl, pr) = x_shape, pads
    return max(H + max(pt, pb), Ho), max(W + max(pl, pr), Wo)


def _grid_cols(x: np.ndarray, pads: tuple, kh: int, kw: int, Hp: int, Wp: int) -> np.ndarray:
    """Stride-1 im2col on the padded grid: cols (C*kh*kw + 1, m*Hp*Wp), Hp x Wp from
    _grid_shape, the last row 1 (the bias trick, see _with_ones).

    The input is laid out channel-major and flattened, xf[c, n*Hp*Wp + (y+top)*Wp + x+left],
    zero elsewhere, with (kh-1)*Wp + kw-1 zeros after it. Window element (i, j) of the output at
    grid position q = n*Hp*Wp + y*Wp + x is then xf[c, q + i*Wp + j]: for each (c, i, j) a row
    of cols is one contiguous slice of xf, so im2col is one copy of long runs (instead of runs
    of W_out values). Grid positions with y >= H_out or x >= W_out are not outputs; they cost
    (Hp*Wp) / (H_out*W_out) - 1 more columns in the products (13% for a 3x3 "same" kernel on
    16x16), are dropped by the output view, and get zero delta in the backward pass.
    """
    pt, _, pl, _ = pads
    m, C, H, W = x.shape
    P, tail = m * Hp * Wp, (kh - 1) * Wp + kw - 1
    xf = np.zeros((C, P + tail), dtype=x.dtype)
    xf[:, :P].reshape(C, m, Hp, Wp)[:, :, pt : pt + H, pl : pl + W] = x.transpose(1, 0, 2, 3)
    sc, s1 = xf.strides
    view = as_strided(xf, (C, kh, kw, P), (sc, Wp * s1, s1, s1), writeable=False)
    cols = _with_ones(C * kh * kw, P, x.dtype)
    cols[:-1].reshape(view.shape)[...] = view
    return cols


def _use_grid(rows: int, n_out: int, stride: int) -> bool:
    """Whether conv2d_forward builds cols on the padded grid (_grid_cols): at stride 1, when the
    cols matrix has at least twice as many rows (C*kh*kw) as u has (out). The grid replaces the
    short-run copies of im2col and col2im (C*kh*kw rows each) by two over out rows (u out of
    the grid, delta onto it); with few input channels, as in a first layer, that is a loss."""
    return stride == 1 and rows >= 2 * n_out


class ConvCache(NamedTuple):
    """What conv2d_backward needs from the forward pass."""

    x_shape: tuple  # (m, C, H, W) of the unpadded input
    pads: tuple  # (top, bottom, left, right)
    stride: int
    cols: np.ndarray  # (C*kh*kw + 1, m*Ho*Wo), see im2col, or (.., m*Hp*Wp), see _grid_cols
    W: np.ndarray
    Ho: int
    Wo: int


def conv2d_forward(x: np.ndarray, W: np.ndarray, b: np.ndarray, stride: int = 1, pads=0):
    """u = x (*) W + b.  x (m, C, H, W), W (out, C, kh, kw), b (out,); pads int, (ph, pw) or
    (top, bottom, left, right).  Returns (u (m, out, H_out, W_out), cache).

    With cols = im2col(x) (C*kh*kw, m*H_out*W_out), the whole batch is one BLAS product
        u = W.reshape(out, C*kh*kw) @ cols + b
    (computed as [W | b] @ [cols; 1], see _with_ones) whose rows are output channels; u is
    returned as the (m, out, H_out, W_out) view of it
    (channel-major in memory, which the next layer's im2col and backward read without copies).
    At stride 1 with enough input channels (_use_grid) cols is built on the padded grid instead
    (_grid_cols) and u is copied out of the grid's valid positions.
    """
    pt, pb, pl, pr = _pads4(pads)
    m, C, H, Wd = x.shape
    n_out, _, kh, kw = W.shape
    Ho = conv_output_size(H, kh, stride, pt + pb)
    Wo = conv_output_size(Wd, kw, stride, pl + pr)
    Wb = np.concatenate(  # [W | b] in the dtype of W @ cols
        (W.reshape(n_out, -1), b.reshape(n_out, 1)), axis=1, dtype=np.result_type(W, x)
    )
    if _use_grid(C * kh * kw, n_out, stride):
        Hp, Wp = _grid_shape(x.shape, (pt, pb, pl, pr), Ho, Wo)
        cols = _grid_cols(x, (pt, pb, pl, pr), kh, kw, Hp, Wp)
        u = (Wb @ cols).reshape(n_out, m, Hp, Wp)[:, :, :Ho, :Wo]
        # copy the valid positions out of the grid into a new channel-major array
        u = np.ascontiguousarray(u).transpose(1, 0, 2, 3)
        return u, ConvCache(x.shape, (pt, pb, pl, pr), stride, cols, W, Ho, Wo)
    if pt or pb or pl or pr:
        xp = np.zeros((C, m, H + pt + pb, Wd + pl + pr), dtype=x.dtype)
        xp[:, :, pt : pt + H, pl : pl + Wd] = x.transpose(1, 0, 2, 3)
        xp = xp.transpose(1, 0, 2, 3)
    else:
        xp = x
    cols = im2col(xp, kh, kw, stride, Ho, Wo)
    u = (Wb @ cols).reshape(n_out, m, Ho, Wo).transpose(1, 0, 2, 3)
    return u, ConvCache(x.shape, (pt, pb, pl, pr), stride, cols, W, Ho, Wo)


def _channel_rows(delta: np.ndarray, cache: ConvCache) -> np.ndarray:
    """delta (m, out, Ho, Wo) as the (out, columns of cols) matrix of conv2d_forward: a view
    when delta is channel-major in memory (as the backward pass keeps it); with cols on the
    padded grid, a copy onto the grid, zero at the positions that are not outputs."""
    m, n_out = delta.shape[:2]
    if cache.cols.shape[1] == m * cache.Ho * cache.Wo:  # cols of the window positions
        return delta.transpose(1, 0, 2, 3).reshape(n_out, -1)
    Hp, Wp = _grid_shape(cache.x_shape, cache.pads, cache.Ho, cache.Wo)
    grid = np.zeros((n_out, m, Hp, Wp), dtype=delta.dtype)
    grid[:, :, : cache.Ho, : cache.Wo] = delta.transpose(1, 0, 2, 3)
    return grid.reshape(n_out, -1)


def conv2d_backward(delta: np.ndarray, cache: ConvCache, need_dx: bool = True):
    """(dE_dx, dE_dW, dE_db) from delta = dE/du (m, out, H_out, W_out).

    With d = delta as an (out, m*H_out*W_out) matrix:
      dE_dW = d @ cols^T,  dE_db = sum of d over its columns,
      dE_dx: dcols = W^T @ d scattered back onto the window positions (col2im: a loop over the
      kh*kw kernel offsets, never over samples or pixels).
    When the forward pass used the padded grid, d and dcols are on it, where window element
    (i, j) of position q is input position q + i*Wp + j: col2im is then kh*kw adds of
    contiguous slices.
    """
    (m, C, H, Wd), (pt, pb, pl, pr), s, cols, W, Ho, Wo = cache
    n_out, _, kh, kw = W.shape
    d = _channel_rows(delta, cache)
    # [dE_dW | dE_db] = d @ [cols; 1]^T (the bias trick, see _with_ones), computed as
    # (cols @ d^T)^T: OpenBLAS runs this orientation of the long product (the m*H_out*W_out
    # axis summed) 1.4-1.9x faster here
    dWb = (cols @ d.T).T
    dE_dW, dE_db = np.ascontiguousarray(dWb[:, :-1]).reshape(W.shape), dWb[:, -1].copy()
    if not need_dx:
        return None, dE_dW, dE_db
    # dE/dx kept channel-major (C, m, H, W) in memory like u; returned as (m, C, H, W)
    if cols.shape[1] != m * Ho * Wo:  # on the grid
        Hp, Wp = _grid_shape(cache.x_shape, cache.pads, Ho, Wo)
        P = d.shape[1]
        dcols = (W.reshape(n_out, -1).T @ d).reshape(C, kh, kw, P)
        dxf = np.zeros((C, P + (kh - 1) * Wp + kw - 1), dtype=dcols.dtype)
        for i in range(kh):  # loop over the kh*kw kernel offsets only
            for j in range(kw):
                dxf[:, i * Wp + j : i * Wp + j + P] += dcols[:, i, j]
        # what fell on padding (also the next row's or sample's) is dropped by the crop
        dE_dx = dxf[:, :P].reshape(C, m, Hp, Wp)[:, :, pt : pt + H, pl : pl + Wd]
        return dE_dx.transpose(1, 0, 2, 3), dE_dW, dE_db
    dcols = (W.reshape(n_out, -1).T @ d).reshape(C, kh, kw, m, Ho, Wo)
    dxp = np.zeros((C, m, H + pt + pb, Wd + pl + pr), dtype=dcols.dtype)
    he, we = s * (Ho - 1) + 1, s * (Wo - 1) + 1
    for i in range(kh):
        for j in range(kw):
            dxp[:, :, i : i + he : s, j : j + we : s] += dcols[:, i, j]
    dE_dx = dxp[:, :, pt : pt + H, pl : pl + Wd] if (pt or pb or pl or pr) else dxp
    return dE_dx.transpose(1, 0, 2, 3), dE_dW, dE_db


def conv2d_per_sample_grads(delta: np.ndarray, cache: ConvCache):
    """Per-sample (dE_n/dW (m, out, C, kh, kw), dE_n/db (m, out)) from per-sample deltas."""
    m, n_out = delta.shape[:2]
    d = _channel_rows(delta, cache).reshape(n_out, m, -1).transpose(1, 0, 2)  # (m, out, cols)
    cols = cache.cols[:-1].reshape(len(cache.cols) - 1, m, -1).transpose(1, 2, 0)  # (m, ., CKK)
    dW = np.matmul(d, cols).reshape(m, *cache.W.shape)
    return dW, d.sum(axis=2)


def _check_pos_int(cls: str, name: str, v) -> int:
    if not isinstance(v, int | np.integer) or isinstance(v, bool) or v < 1:
        raise ValueError(f"{cls}: {name} must be a positive integer, got {v!r}")
    return int(v)


class Conv2D(Layer):
    has_params = True

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: int,
        stride: int = 1,
        padding="valid",
        activation: str = "identity",
        alpha: float = 0.01,
    ) -> None:
        self.in_channels = _check_pos_int("Conv2D", "in_channels", in_channels)
        self.out_channels = _check_pos_int("Conv2D", "out_channels", out_channels)
        self.kernel_size = _check_pos_int("Conv2D", "kernel_size", kernel_size)
        self.stride = _check_pos_int("Conv2D", "stride", stride)
        if isinstance(padding, str):
            if padding not in ("valid", "same"):
                raise ValueError(
                    f"Conv2D: padding must be 'valid', 'same' or an int >= 0, got {padding!r}"
                )
        elif not isinstance(padding, int | np.integer) or isinstance(padding, bool) or padding < 0:
            raise ValueError(
                f"Conv2D: padding must be 'valid', 'same' or an int >= 0, got {padding!r}"
            )
        else:
            padding = int(padding)
        self.padding = padding
        super().__init__(activation, alpha)
        k = self.kernel_size
        self.W = np.zeros((self.out_channels, self.in_channels, k, k))
        self.b = np.zeros(self.out_channels)
        self._pads_cache: dict = {}

    def config(self) -> dict:
        return {
            "in_channels": self.in_channels,
            "out_channels": self.out_channels,
            "kernel_size": self.kernel_size,
            "stride": self.stride,
            "padding": self.padding,
            "activation": self.activation,
            "alpha": self.alpha,
        }

    def param_shapes(self) -> dict[str, tuple]:
        k = self.kernel_size
        return {"W": (self.out_channels, self.in_channels, k, k), "b": (self.out_channels,)}

    def fans(self) -> tuple[int, int]:
        k2 = self.kernel_size**2
        return self.in_channels * k2, self.out_channels * k2

    def pads(self, H: int, W: int) -> tuple[int, int, int, int]:
        """(top, bottom, left, right) padding used for an H x W input."""
        key = (H, W)
        p = self._pads_cache.get(key)
        if p is None or p[0] != (self.padding, self.kernel_size, self.stride):
            k = self.kernel_size
            p = (
                (self.padding, k, self.stride),
                resolve_pads(self.padding, H, W, k, k, self.stride),
            )
            self._pads_cache[key] = p
        return p[1]

    def output_shape(self, input_shape: tuple) -> tuple:
        input_shape = tuple(input_shape)
        if len(input_shape) != 3 or input_shape[0] != self.in_channels:
            raise ValueError(
                f"expects samples of shape ({self.in_channels}, H, W), got sample shape "
                f"{input_shape}"
            )
        _, H, W = input_shape
        pt, pb, pl, pr = self.pads(H, W)
        k, s = self.kernel_size, self.stride
        Ho, Wo = conv_output_size(H, k, s, pt + pb), conv_output_size(W, k, s, pl + pr)
        if Ho < 1 or Wo < 1:
            raise ValueError(
                f"a {k}x{k} kernel does not fit a {H}x{W} input with padding {self.padding!r}"
            )
        return (self.out_channels, Ho, Wo)

    def forward(self, x: np.ndarray):
        return conv2d_forward(x, self.W, self.b, self.stride, self.pads(x.shape[2], x.shape[3]))

    def backward(self, delta: np.ndarray, cache, need_dx: bool = True):
        return conv2d_backward(delta, cache, need_dx)

    def per_sample_grads(self, delta: np.ndarray, cache):
        return conv2d_per_sample_grads(delta, cache)
