"""RoI pooling and RoI Align: cut a fixed-size feature grid out of a region of interest.

Mask R-CNN (the last part of the notes) proposes boxes ("regions of interest", RoIs) on
a feature map and needs a fixed ``oh x ow`` grid of features for every box, whatever its
size. Two ways to get it:

RoI pooling (Fast R-CNN)
    ``roi_pool``. The box is rounded to whole feature-map cells, cut into ``oh x ow``
    bins whose edges are rounded again (``floor`` for the start, ``ceil`` for the end),
    and each bin keeps the maximum of its cells. The two roundings are the quantisation
    the notes warn about: the grid no longer lines up with the box, some cells are read by
    two neighbouring bins, and with the notes' rounded *stride* some cells are read by no
    bin at all (see :func:`engine.detection.explain.explain_roi`).

RoI Align (Mask R-CNN)
    ``roi_align``. Nothing is rounded. Each bin gets a regular grid of sampling points;
    the feature value at a point between cells is the bilinear interpolation of its four
    neighbouring cells, and the bin's output is the average (``mode="avg"``) or the
    maximum (``mode="max"``) of its points' values.

Both are written forward and backward side by side, cs231n style::

    out, cache = roi_align_forward(x, rois, batch_indices, (7, 7))
    dx = roi_align_backward(dout, cache)          # dE/dx, same shape as x

``roi_align`` / ``roi_pool`` return only ``out`` for callers that need no gradient.

Shapes: ``x`` is (N, C, H, W); ``rois`` is (R, 4) as ``x1, y1, x2, y2`` in input-image
coordinates (multiplied by ``spatial_scale`` to reach the feature map); ``batch_indices``
(R,) says which image of the batch each RoI belongs to; the output is (R, C, oh, ow) in
the dtype of ``x`` (float32 stays float32).

Agreement with other implementations
------------------------------------
* ``roi_align(mode="avg")`` computes exactly ONNX ``RoiAlign`` (opset 16) and
  torchvision's ``roi_align``: ``aligned=True`` is ONNX
  ``coordinate_transformation_mode="half_pixel"`` (the box is shifted by half a cell, so a
  pixel's centre sits at ``i + 0.5``), ``aligned=False`` is ``"output_half_pixel"`` (no
  shift, box sides at least one cell). ``sampling_ratio=0`` is adaptive:
  ``ceil(roi_size / output_size)`` points per bin side.
* ``roi_align(mode="max")`` is the notes' max: the bilinear value at each sampling point,
  then the maximum over the bin's points. ONNX's and onnxruntime's ``mode="max"`` is a
  different function: they take, at each point, the largest of the four *weighted corner
  terms* ``w_k * v_k`` (never summing them into the interpolated value) and the maximum of
  those over the points. Our max mode therefore does **not** equal ONNX max mode; the
  tests check the difference numerically.
* ``roi_pool`` follows Fast R-CNN and torchvision's ``roi_pool``: box corners rounded half
  away from zero, ``x2``/``y2`` inclusive, width/height at least one cell, bins
  ``floor(start + i*bin)`` to ``ceil(start + (i+1)*bin)`` clipped to the map, an empty bin
  gives 0, the backward routes each output's gradient to the cell that won the max.

Implementation: RoI Align's average is separable. Every sampling point of bin row ``p``
has the same ``y``, so the whole average is ``Ay[r] @ x[n] @ Ax[r].T`` with small
interpolation matrices ``Ay`` (R, oh, H) and ``Ax`` (R, ow, W) built with one
``bincount``; forward and backward are a few batched matrix products, no Python loop over
RoIs or pixels (only over the distinct images of the batch).
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = [
    "roi_align",
    "roi_align_forward",
    "roi_align_backward",
    "roi_pool",
    "roi_pool_forward",
    "roi_pool_backward",
    "round_half_away",
]


# --------------------------------------------------------------------------- checks


def _pair(output_size: Any, name: str) -> tuple[int, int]:
    if isinstance(output_size, (int, np.integer)):
        oh = ow = int(output_size)
    else:
        try:
            oh, ow = (int(v) for v in output_size)
        except (TypeError, ValueError):
            raise ValueError(
                f"{name}: output_size must be an int or a pair (oh, ow), got {output_size!r}"
            ) from None
    if oh < 1 or ow < 1:
        raise ValueError(f"{name}: output_size must be positive, got ({oh}, {ow})")
    return oh, ow


def _check(
    name: str, x: np.ndarray, rois: Any, batch_indices: Any
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    x = np.asarray(x)
    if x.ndim != 4:
        raise ValueError(f"{name}: x must be (N, C, H, W), got shape {x.shape}")
    if not np.issubdtype(x.dtype, np.floating):
        x = x.astype(np.float64)
    rois = np.asarray(rois, dtype=np.float64)
    if rois.ndim != 2 or rois.shape[1] != 4:
        raise ValueError(f"{name}: rois must be (R, 4) as x1, y1, x2, y2, got shape {rois.shape}")
    if not np.all(np.isfinite(rois)):
        raise ValueError(f"{name}: rois contain NaN or infinity")
    bi = np.asarray(batch_indices)
    if bi.shape != (rois.shape[0],):
        raise ValueError(
            f"{name}: batch_indices must be ({rois.shape[0]},) for rois {rois.shape}, "
            f"got shape {bi.shape}"
        )
    if bi.size and not np.issubdtype(bi.dtype, np.integer):
        if not np.all(bi == np.round(bi)):
            raise ValueError(f"{name}: batch_indices must be whole numbers")
    bi = bi.astype(np.int64)
    if bi.size and (bi.min() < 0 or bi.max() >= x.shape[0]):
        raise ValueError(
            f"{name}: batch_indices must lie in [0, {x.shape[0]}) for x {x.shape}, "
            f"got range [{bi.min()}, {bi.max()}]"
        )
    return x, rois, bi


def round_half_away(v: np.ndarray | float) -> np.ndarray:
    """C's ``round``: halves go away from zero (2.5 -> 3, -2.5 -> -3), unlike ``np.round``."""
    v = np.asarray(v, dtype=np.float64)
    return np.sign(v) * np.floor(np.abs(v) + 0.5)


# --------------------------------------------------------------------------- RoI Align


def _align_geometry(
    rois: np.ndarray,
    spatial_scale: float,
    aligned: bool,
    sampling_ratio: int,
    oh: int,
    ow: int,
) -> dict[str, np.ndarray]:
    """Box start/size on the feature map, bin sizes and points per bin side, per RoI."""
    offset = 0.5 if aligned else 0.0
    x1 = rois[:, 0] * spatial_scale - offset
    y1 = rois[:, 1] * spatial_scale - offset
    x2 = rois[:, 2] * spatial_scale - offset
    y2 = rois[:, 3] * spatial_scale - offset
    roi_w = x2 - x1
    roi_h = y2 - y1
    if not aligned:  # legacy behaviour: boxes at least one cell wide
        roi_w = np.maximum(roi_w, 1.0)
        roi_h = np.maximum(roi_h, 1.0)
    bin_h = roi_h / oh
    bin_w = roi_w / ow
    if sampling_ratio > 0:
        grid_h = np.full(rois.shape[0], sampling_ratio, dtype=np.int64)
        grid_w = grid_h.copy()
    else:  # adaptive: about one point per feature cell
        # clipped in float first so that a huge box cannot overflow the integer cast
        # (_check_sampling then refuses it by name)
        grid_h = np.ceil(np.clip(roi_h / oh, -1.0, 2.0**62)).astype(np.int64)
        grid_w = np.ceil(np.clip(roi_w / ow, -1.0, 2.0**62)).astype(np.int64)
    # A negative-size box (x2 < x1) has no points; ONNX/torchvision sum nothing there too.
    grid_h = np.maximum(grid_h, 0)
    grid_w = np.maximum(grid_w, 0)
    return {
        "y1": y1,
        "x1": x1,
        "roi_h": roi_h,
        "roi_w": roi_w,
        "bin_h": bin_h,
        "bin_w": bin_w,
        "grid_h": grid_h,
        "grid_w": grid_w,
    }


# Sampling bounds: an RoI is untrusted input (a box of side 1e9 would ask the adaptive grid
# for ~1e8 points per bin side, gigabytes of coordinates). 1024 points per bin side covers any
# box on any feature map this engine handles (a 7x7 output over a 7000-cell side); the total
# bounds what one call builds: about 128 MiB per float64 sampling array.
MAX_POINTS_PER_BIN_SIDE = 1024
MAX_SAMPLING_VALUES = 2**24


def _check_sampling(
    name: str, rois: np.ndarray, geo: dict[str, np.ndarray], oh: int, ow: int, C: int, mode: str
) -> None:
    """Refuse a call whose sampling grid would be too large, naming the RoI and the limit."""
    R = rois.shape[0]
    if not R:
        return
    bad = ~(np.isfinite(geo["roi_h"]) & np.isfinite(geo["roi_w"]))
    if bad.any():
        r = int(np.argmax(bad))
        raise ValueError(
            f"{name}: RoI {r} is infinite on the feature map (spatial_scale overflows its box)"
        )
    grid_h, grid_w = geo["grid_h"], geo["grid_w"]
    side = np.maximum(grid_h, grid_w)
    r = int(np.argmax(side))
    box = ", ".join(f"{v:g}" for v in rois[r])
    if side[r] > MAX_POINTS_PER_BIN_SIDE:
        raise ValueError(
            f"{name}: RoI {r} (x1, y1, x2, y2 = {box}; {geo['roi_h'][r]:g} x "
            f"{geo['roi_w'][r]:g} cells on the feature map) needs {int(grid_h[r])} x "
            f"{int(grid_w[r])} sampling points per bin for a {oh} x {ow} output; the limit is "
            f"{MAX_POINTS_PER_BIN_SIDE} per bin side (clip the box to the image or pass a "
            "smaller sampling_ratio)"
        )
    Gy, Gx = int(grid_h.max()), int(grid_w.max())
    if mode == "avg":  # separable: one (R, oh, Gy) and one (R, ow, Gx) set of points
        values = R * (oh * Gy + ow * Gx)
    else:  # every point of every bin, for every channel
        values = R * oh * Gy * ow * Gx * C
    if values > MAX_SAMPLING_VALUES:
        raise ValueError(
            f"{name}: {R} RoIs would sample {values} values in {mode} mode (largest grid: RoI "
            f"{r}, x1, y1, x2, y2 = {box}, {int(grid_h[r])} x {int(grid_w[r])} points per "
            f"bin), over the limit of {MAX_SAMPLING_VALUES}; pass fewer or smaller RoIs or a "
            "smaller sampling_ratio"
        )


def _axis_points(
    start: np.ndarray, bin_size: np.ndarray, grid: np.ndarray, pooled: int, size: int
) -> dict[str, np.ndarray]:
    """Sampling coordinates along one axis and their two neighbours with weights.

    Returns arrays of shape (R, pooled, G), G = the largest grid over the RoIs:
    ``coord`` (the sampling coordinate), ``used`` (point exists: index < grid[r]),
    ``lo``/``hi`` (neighbour indices, clipped into the map), ``w_lo``/``w_hi`` (bilinear
    weights, both 0 when the point lies more than one cell outside the map, exactly as
    torchvision/ONNX do: such a point contributes 0 but still counts in the average).
    """
    R = start.shape[0]
    G = int(grid.max()) if R else 0
    G = max(G, 1)
    p = np.arange(pooled, dtype=np.float64)[None, :, None]
    i = np.arange(G, dtype=np.float64)[None, None, :]
    g = np.maximum(grid, 1).astype(np.float64)[:, None, None]
    coord = (
        start[:, None, None]
        + p * bin_size[:, None, None]
        + (i + 0.5) * (bin_size[:, None, None] / g)
    )
    coord = np.broadcast_to(coord, (R, pooled, G))
    used = np.broadcast_to(np.arange(G)[None, None, :] < grid[:, None, None], (R, pooled, G))
    inside = (coord >= -1.0) & (coord <= size)
    c = np.maximum(coord, 0.0)
    lo = np.floor(c).astype(np.int64)
    at_edge = lo >= size - 1
    lo = np.where(at_edge, size - 1, lo)
    hi = np.where(at_edge, size - 1, lo + 1)
    frac = np.where(at_edge, 0.0, c - lo)
    keep = (inside & used).astype(np.float64)
    return {
        "coord": coord,
        "used": used,
        "inside": inside,
        "lo": lo,
        "hi": hi,
        "w_lo": (1.0 - frac) * keep,
        "w_hi": frac * keep,
    }


def _interp_matrix(pts: dict[str, np.ndarray], grid: np.ndarray, size: int) -> np.ndarray:
    """(R, pooled, size) matrix: row p averages the interpolated values along one axis."""
    R, pooled, G = pts["lo"].shape
    inv = 1.0 / np.maximum(grid, 1).astype(np.float64)
    row = (np.arange(R)[:, None, None] * pooled + np.arange(pooled)[None, :, None]) * size
    row = np.broadcast_to(row, (R, pooled, G))
    idx = np.concatenate([(row + pts["lo"]).ravel(), (row + pts["hi"]).ravel()])
    w = np.concatenate(
        [(pts["w_lo"] * inv[:, None, None]).ravel(), (pts["w_hi"] * inv[:, None, None]).ravel()]
    )
    A = np.bincount(idx, weights=w, minlength=R * pooled * size)
    return A.reshape(R, pooled, size)


def _max_over_candidates(
    val: np.ndarray, ok: np.ndarray, R: int, C: int, oh: int, ow: int
) -> tuple[np.ndarray, np.ndarray]:
    """Largest candidate of every bin, shared by RoI Align's max mode and RoI pooling.

    ``val`` (R, oh, Gy, ow, Gx, C) holds each bin's Gy x Gx candidate values and ``ok``
    (R, oh, Gy, ow, Gx) marks the real ones. Returns ``out`` (R, C, oh, ow), -inf where a
    bin has no candidate, and ``arg``, the winner's index into the bin's Gy * Gx candidates.
    """
    G = val.shape[2] * val.shape[4]
    val = np.where(ok[..., None], val, -np.inf)
    val = val.transpose(0, 5, 1, 3, 2, 4).reshape(R, C, oh, ow, G)
    if not R:  # argmax refuses empty arrays
        return np.zeros((0, C, oh, ow), dtype=val.dtype), np.zeros((0, C, oh, ow), np.int64)
    arg = np.argmax(val, axis=-1)
    return np.take_along_axis(val, arg[..., None], axis=-1)[..., 0], arg


def _bin_grid(R: int, C: int, oh: int, ow: int) -> tuple[np.ndarray, ...]:
    """Broadcastable indices (r, c, p, q) over an (R, C, oh, ow) output."""
    return (
        np.arange(R)[:, None, None, None],
        np.arange(C)[None, :, None, None],
        np.arange(oh)[None, None, :, None],
        np.arange(ow)[None, None, None, :],
    )


def _check_dout(name: str, dout: np.ndarray, shape: tuple) -> None:
    if dout.shape != shape:
        raise ValueError(f"{name} backward: dout must be {shape}, got shape {dout.shape}")


def roi_align_forward(
    x: np.ndarray,
    rois: Any,
    batch_indices: Any,
    output_size: int | tuple[int, int],
    spatial_scale: float = 1.0,
    sampling_ratio: int = 0,
    aligned: bool = True,
    mode: str = "avg",
) -> tuple[np.ndarray, dict[str, Any]]:
    """RoI Align forward: ``(out, cache)``, out (R, C, oh, ow) in ``x``'s dtype.

    ``mode="avg"`` averages the bilinear values of each bin's sampling points (ONNX
    RoiAlign-16 / torchvision). ``mode="max"`` takes the largest bilinear value of the
    bin's points (the notes' max) — not ONNX's max mode, which maximises the four weighted
    corner terms separately. See the module docstring.
    """
    name = "roi_align"
    x, rois, bi = _check(name, x, rois, batch_indices)
    oh, ow = _pair(output_size, name)
    if mode not in ("avg", "max"):
        raise ValueError(f"{name}: mode must be 'avg' or 'max', got {mode!r}")
    sampling_ratio = int(sampling_ratio)
    if sampling_ratio < 0:
        raise ValueError(f"{name}: sampling_ratio must be >= 0, got {sampling_ratio}")
    N, C, H, W = x.shape
    R = rois.shape[0]
    geo = _align_geometry(rois, float(spatial_scale), bool(aligned), sampling_ratio, oh, ow)
    _check_sampling(name, rois, geo, oh, ow, C, mode)
    py = _axis_points(geo["y1"], geo["bin_h"], geo["grid_h"], oh, H)
    px = _axis_points(geo["x1"], geo["bin_w"], geo["grid_w"], ow, W)
    cache: dict[str, Any] = {
        "x_shape": x.shape,
        "dtype": x.dtype,
        "batch_indices": bi,
        "mode": mode,
    }
    if mode == "avg":
        Ay = _interp_matrix(py, geo["grid_h"], H).astype(x.dtype)  # (R, oh, H)
        Ax = _interp_matrix(px, geo["grid_w"], W).astype(x.dtype)  # (R, ow, W)
        out = np.zeros((R, C, oh, ow), dtype=x.dtype)
        for n in np.unique(bi):
            sel = np.nonzero(bi == n)[0]
            Rn = sel.size
            # one GEMM interpolates the rows of every RoI: (Rn*oh, H) @ (H, C*W)
            xn = x[n].transpose(1, 0, 2).reshape(H, C * W)
            T = (Ay[sel].reshape(Rn * oh, H) @ xn).reshape(Rn, oh * C, W)
            # then the columns, one small product per RoI: (oh*C, W) @ (W, ow)
            o = np.matmul(T, Ax[sel].transpose(0, 2, 1))
            out[sel] = o.reshape(Rn, oh, C, ow).transpose(0, 2, 1, 3)
        cache.update(Ay=Ay, Ax=Ax)
        return out, cache

    # max mode: the bilinear value of every sampling point, then the largest per bin.
    n_idx = bi[:, None, None, None, None]
    y_lo, y_hi = py["lo"][:, :, :, None, None], py["hi"][:, :, :, None, None]
    x_lo, x_hi = px["lo"][:, None, None], px["hi"][:, None, None]
    wy_lo, wy_hi = py["w_lo"][:, :, :, None, None], py["w_hi"][:, :, :, None, None]
    wx_lo, wx_hi = px["w_lo"][:, None, None], px["w_hi"][:, None, None]
    # x[n, :, y, x] with advanced indices around the slice -> (R, oh, Gy, ow, Gx, C)
    val = (
        (wy_lo * wx_lo)[..., None] * x[n_idx, :, y_lo, x_lo]
        + (wy_lo * wx_hi)[..., None] * x[n_idx, :, y_lo, x_hi]
        + (wy_hi * wx_lo)[..., None] * x[n_idx, :, y_hi, x_lo]
        + (wy_hi * wx_hi)[..., None] * x[n_idx, :, y_hi, x_hi]
    )
    Gy, Gx = val.shape[2], val.shape[4]
    used = py["used"][:, :, :, None, None] & px["used"][:, None, None]  # (R, oh, Gy, ow, Gx)
    out, arg = _max_over_candidates(val, used, R, C, oh, ow)
    empty = ~np.isfinite(out)
    out = np.where(empty, 0.0, out).astype(x.dtype)
    cache.update(arg=arg, empty=empty, py=py, px=px, shape=(oh, ow, Gy, Gx))
    return out, cache


def roi_align_backward(dout: np.ndarray, cache: dict[str, Any]) -> np.ndarray:
    """dE/dx of RoI Align from dE/dout (R, C, oh, ow); same shape and dtype as ``x``."""
    N, C, H, W = cache["x_shape"]
    dtype = cache["dtype"]
    bi = cache["batch_indices"]
    dout = np.asarray(dout)
    R = bi.shape[0]
    if cache["mode"] == "avg":
        Ay, Ax = cache["Ay"], cache["Ax"]
        oh, ow = Ay.shape[1], Ax.shape[1]
        _check_dout("roi_align", dout, (R, C, oh, ow))
        dout = dout.astype(dtype, copy=False)
        dx = np.zeros((N, C, H, W), dtype=dtype)
        for n in np.unique(bi):
            sel = np.nonzero(bi == n)[0]
            Rn = sel.size
            d = dout[sel].transpose(0, 2, 1, 3).reshape(Rn, oh * C, ow)
            M = np.matmul(d, Ax[sel]).reshape(Rn * oh, C * W)  # (Rn*oh, C*W)
            dxn = Ay[sel].reshape(Rn * oh, H).T @ M  # (H, C*W)
            dx[n] = dxn.reshape(H, C, W).transpose(1, 0, 2)
        return dx

    oh, ow, Gy, Gx = cache["shape"]
    _check_dout("roi_align", dout, (R, C, oh, ow))
    py, px = cache["py"], cache["px"]
    arg = cache["arg"]
    g = np.where(cache["empty"], 0.0, dout.astype(np.float64))
    iy, ix = arg // Gx, arg % Gx  # (R, C, oh, ow)
    r, c, p, q = _bin_grid(R, C, oh, ow)
    n = bi[r]
    dx = np.zeros(N * C * H * W, dtype=np.float64)
    for yk, wyk in (("lo", "w_lo"), ("hi", "w_hi")):
        yy, wy = py[yk][r, p, iy], py[wyk][r, p, iy]
        for xk, wxk in (("lo", "w_lo"), ("hi", "w_hi")):
            xx, wx = px[xk][r, q, ix], px[wxk][r, q, ix]
            flat = ((n * C + c) * H + yy) * W + xx
            dx += np.bincount(flat.ravel(), weights=(g * wy * wx).ravel(), minlength=dx.size)
    return dx.reshape(N, C, H, W).astype(dtype)


def roi_align(
    x: np.ndarray,
    rois: Any,
    batch_indices: Any,
    output_size: int | tuple[int, int],
    spatial_scale: float = 1.0,
    sampling_ratio: int = 0,
    aligned: bool = True,
    mode: str = "avg",
) -> np.ndarray:
    """RoI Align: (R, C, oh, ow) features of each RoI; see ``roi_align_forward``."""
    out, _ = roi_align_forward(
        x, rois, batch_indices, output_size, spatial_scale, sampling_ratio, aligned, mode
    )
    return out


# --------------------------------------------------------------------------- RoI pooling


def pool_bins(
    rois: np.ndarray, spatial_scale: float, oh: int, ow: int, H: int, W: int
) -> dict[str, np.ndarray]:
    """Fast R-CNN bins of each RoI as integer cell ranges [start, end) clipped to the map.

    Returns ``y0``/``y1`` (R, oh), ``x0``/``x1`` (R, ow) and the rounded box
    ``roi_cells`` (R, 4) as x_start, y_start, x_end, y_end (end inclusive).
    """
    rs = round_half_away(rois * spatial_scale).astype(np.int64)
    x_start, y_start, x_end, y_end = rs[:, 0], rs[:, 1], rs[:, 2], rs[:, 3]
    roi_w = np.maximum(x_end - x_start + 1, 1)
    roi_h = np.maximum(y_end - y_start + 1, 1)
    bin_h = roi_h.astype(np.float64) / oh
    bin_w = roi_w.astype(np.float64) / ow
    ph = np.arange(oh, dtype=np.float64)[None, :]
    pw = np.arange(ow, dtype=np.float64)[None, :]
    y0 = np.floor(ph * bin_h[:, None]).astype(np.int64) + y_start[:, None]
    y1 = np.ceil((ph + 1) * bin_h[:, None]).astype(np.int64) + y_start[:, None]
    x0 = np.floor(pw * bin_w[:, None]).astype(np.int64) + x_start[:, None]
    x1 = np.ceil((pw + 1) * bin_w[:, None]).astype(np.int64) + x_start[:, None]
    return {
        "y0": np.clip(y0, 0, H),
        "y1": np.clip(y1, 0, H),
        "x0": np.clip(x0, 0, W),
        "x1": np.clip(x1, 0, W),
        "roi_cells": rs,
        "bin_h": bin_h,
        "bin_w": bin_w,
    }


def roi_pool_forward(
    x: np.ndarray,
    rois: Any,
    batch_indices: Any,
    output_size: int | tuple[int, int],
    spatial_scale: float = 1.0,
) -> tuple[np.ndarray, dict[str, Any]]:
    """RoI max pooling (Fast R-CNN / torchvision): ``(out, cache)``, out (R, C, oh, ow).

    The box is rounded to cells (``round(x * spatial_scale)``, half away from zero, the
    end cell included), split into bins ``floor(i * bin)`` .. ``ceil((i + 1) * bin)``
    (offset by the box start, clipped to the map), and each bin keeps its largest value;
    a bin with no cells gives 0.
    """
    name = "roi_pool"
    x, rois, bi = _check(name, x, rois, batch_indices)
    oh, ow = _pair(output_size, name)
    N, C, H, W = x.shape
    R = rois.shape[0]
    b = pool_bins(rois, float(spatial_scale), oh, ow, H, W)
    len_h = b["y1"] - b["y0"]  # (R, oh)
    len_w = b["x1"] - b["x0"]  # (R, ow)
    Lh = max(int(len_h.max()) if R else 0, 1)
    Lw = max(int(len_w.max()) if R else 0, 1)
    ky = np.arange(Lh)
    kx = np.arange(Lw)
    yy = b["y0"][:, :, None] + ky  # (R, oh, Lh)
    xx = b["x0"][:, :, None] + kx  # (R, ow, Lw)
    ok_y = ky[None, None, :] < len_h[:, :, None]
    ok_x = kx[None, None, :] < len_w[:, :, None]
    yy_c = np.minimum(yy, H - 1)
    xx_c = np.minimum(xx, W - 1)
    n_idx = bi[:, None, None, None, None]
    # (R, oh, Lh, ow, Lw, C)
    val = x[n_idx, :, yy_c[:, :, :, None, None], xx_c[:, None, None, :, :]]
    ok = ok_y[:, :, :, None, None] & ok_x[:, None, None, :, :]
    out, arg = _max_over_candidates(val, ok, R, C, oh, ow)
    empty = (len_h[:, None, :, None] <= 0) | (len_w[:, None, None, :] <= 0)
    empty = np.broadcast_to(empty, out.shape)
    out = np.where(empty, 0.0, out).astype(x.dtype)
    # flat index into x[n, c] of each winning cell (-1 for empty bins), like torchvision
    r, _, p, q = _bin_grid(R, C, oh, ow)
    wy = b["y0"][r, p] + arg // Lw
    wx = b["x0"][r, q] + arg % Lw
    argmax = np.where(empty, -1, wy * W + wx)
    cache = {"x_shape": x.shape, "dtype": x.dtype, "batch_indices": bi, "argmax": argmax}
    return out, cache


def roi_pool_backward(dout: np.ndarray, cache: dict[str, Any]) -> np.ndarray:
    """dE/dx of RoI pooling: each output's gradient goes to the cell that won its max."""
    N, C, H, W = cache["x_shape"]
    bi = cache["batch_indices"]
    argmax = cache["argmax"]
    dout = np.asarray(dout)
    _check_dout("roi_pool", dout, argmax.shape)
    R = bi.shape[0]
    c = np.arange(C)[None, :, None, None]
    n = bi[:, None, None, None]
    keep = argmax >= 0
    flat = (n * C + c) * (H * W) + argmax
    flat = np.broadcast_to(flat, argmax.shape)[keep]
    g = dout.astype(np.float64)[keep]
    dx = np.bincount(flat, weights=g, minlength=N * C * H * W) if R else np.zeros(N * C * H * W)
    return dx.reshape(N, C, H, W).astype(cache["dtype"])


def roi_pool(
    x: np.ndarray,
    rois: Any,
    batch_indices: Any,
    output_size: int | tuple[int, int],
    spatial_scale: float = 1.0,
) -> np.ndarray:
    """RoI max pooling: (R, C, oh, ow); see ``roi_pool_forward``."""
    out, _ = roi_pool_forward(x, rois, batch_indices, output_size, spatial_scale)
    return out
