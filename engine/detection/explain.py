"""Explain one RoI for the lesson: the bins, the sampling points and what quantisation loses.

``explain_roi(roi, output_size, method="roi_pool" | "roi_align", ...)`` returns a JSON-able
dict (plain lists, ints, floats, bools) that the RoI-grid panel draws.

Two ways of quantising RoI pooling
----------------------------------
Say a 17 x 17 RoI has to become 7 x 7. The exact bin size is 17/7 = 2.43 cells.

* **The notes' rounded stride.** The notes round the stride itself: ``[2.43] = 2`` for a
  17 x 17 RoI and ``[2.57] = 3`` for 18 x 18 (round to the nearest whole cell; at least 1).
  Bin ``i`` then covers cells ``start + i*s`` .. ``start + (i+1)*s - 1``. With ``s = 2``
  the seven bins cover 14 of the 17 cells per side: the last 3 rows and 3 columns — 93 of
  the 289 cells — are never looked at ("loss of data"). With ``s = 3`` the bins cover
  21 cells per side, 3 more than the RoI has: the grid runs past the box and reads
  441 - 324 = 117 cells that are not in the RoI, and every bin edge after the first is
  displaced from where it should be ("misalignment"). This is ``"quantised_stride"``.
* **Fast R-CNN / torchvision bins** (what :func:`engine.detection.roi_pool` computes).
  The bin size stays fractional, and each bin's edges are rounded outwards:
  ``floor(start + i*bin)`` to ``ceil(start + (i+1)*bin)``. No cell of the RoI is dropped,
  but neighbouring bins share the cells their rounded edges overlap: for 17 -> 7 the cells
  2, 4, 7, 9, 12, 14 of each side belong to two bins (18 -> 7: 2, 5, 7, 10, 12, 15), so
  168 (resp. 180) cells are read by more than one bin, and the bins still have unequal
  sizes (3 or 4 cells where the exact size is 2.43 or 2.57). This is ``"bins"``,
  ``"dropped"`` and ``"shared"``.

Either way the bins no longer sit on the box's true subdivision, which is what RoI Align
fixes: it keeps the fractional bin edges and samples each bin at regular points, reading a
point between cells by bilinear interpolation of its four neighbours (``"points"``).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from engine.detection.roi import (
    _align_geometry,
    _axis_points,
    _pair,
    pool_bins,
    roi_align,
    roi_pool,
)

__all__ = ["explain_roi"]


def _f(v: Any) -> float:
    return float(round(float(v), 10))


def _feature_size(roi, spatial_scale, feature, feature_size) -> tuple[int, int]:
    if feature is not None:
        return int(feature.shape[0]), int(feature.shape[1])
    if feature_size is not None:
        H, W = (int(v) for v in feature_size)
        if H < 1 or W < 1:
            raise ValueError(f"explain_roi: feature_size must be positive, got {feature_size}")
        return H, W
    # just big enough to hold the RoI
    return (
        max(int(math.ceil(roi[3] * spatial_scale)) + 1, 1),
        max(int(math.ceil(roi[2] * spatial_scale)) + 1, 1),
    )


def _axis_quantised(start: int, length: int, pooled: int) -> dict[str, Any]:
    """The notes' scheme along one axis: stride rounded to the nearest cell (>= 1)."""
    exact = length / pooled
    s = max(int(math.floor(exact + 0.5)), 1)
    ranges = [[start + i * s, start + (i + 1) * s] for i in range(pooled)]
    covered_end = start + pooled * s
    end = start + length
    return {
        "stride_exact": _f(exact),
        "stride": s,
        "ranges": ranges,
        "dropped": list(range(covered_end, end)),  # RoI cells no bin reads
        "outside": list(range(end, covered_end)),  # cells past the RoI that bins read
        "edge_error": _f(max(abs(i * s - i * exact) for i in range(pooled + 1))),
    }


def _explain_pool(roi, oh, ow, spatial_scale, H, W, feature) -> dict[str, Any]:
    b = pool_bins(np.asarray([roi], dtype=np.float64), spatial_scale, oh, ow, H, W)
    xs, ys, xe, ye = (int(v) for v in b["roi_cells"][0])
    roi_w, roi_h = max(xe - xs + 1, 1), max(ye - ys + 1, 1)
    rows = [[int(b["y0"][0, p]), int(b["y1"][0, p])] for p in range(oh)]
    cols = [[int(b["x0"][0, q]), int(b["x1"][0, q])] for q in range(ow)]

    # how many bins take each cell of the RoI (cells of the RoI outside the map are skipped)
    cy0, cy1 = min(max(ys, 0), H), min(max(ys + roi_h, 0), H)
    cx0, cx1 = min(max(xs, 0), W), min(max(xs + roi_w, 0), W)
    row_count = np.zeros(H, dtype=np.int64)
    col_count = np.zeros(W, dtype=np.int64)
    for y0, y1 in rows:
        row_count[y0:y1] += 1
    for x0, x1 in cols:
        col_count[x0:x1] += 1
    count = np.outer(row_count[cy0:cy1], col_count[cx0:cx1])  # separable: bins are a grid
    dropped = [[cy0 + int(i), cx0 + int(j)] for i, j in zip(*np.nonzero(count == 0))]
    shared = [
        [cy0 + int(i), cx0 + int(j), int(count[i, j])] for i, j in zip(*np.nonzero(count >= 2))
    ]
    hist = {str(int(k)): int(v) for k, v in zip(*np.unique(count, return_counts=True))}

    values = None
    if feature is not None:
        values = roi_pool(feature[None, None], [roi], [0], (oh, ow), spatial_scale)[0, 0]
    bins = []
    for p in range(oh):
        for q in range(ow):
            (y0, y1), (x0, x1) = rows[p], cols[q]
            item: dict[str, Any] = {
                "row": p,
                "col": q,
                "y": [y0, y1],
                "x": [x0, x1],
                "cells": max(y1 - y0, 0) * max(x1 - x0, 0),
                "empty": y1 <= y0 or x1 <= x0,
            }
            if values is not None:
                item["value"] = _f(values[p, q])
                if not item["empty"]:
                    win = feature[y0:y1, x0:x1]
                    k = int(np.argmax(win))
                    item["argmax"] = [y0 + k // win.shape[1], x0 + k % win.shape[1]]
            bins.append(item)

    qy = _axis_quantised(ys, roi_h, oh)
    qx = _axis_quantised(xs, roi_w, ow)
    covered_h, covered_w = oh * qy["stride"], ow * qx["stride"]
    in_both_h, in_both_w = min(covered_h, roi_h), min(covered_w, roi_w)
    quantised = {
        "rule": "stride = round(roi_size / output_size), at least 1; bin i = "
        "[start + i*stride, start + (i+1)*stride)",
        "stride_exact": [qy["stride_exact"], qx["stride_exact"]],
        "stride": [qy["stride"], qx["stride"]],
        "rows": qy["ranges"],
        "cols": qx["ranges"],
        "dropped_rows": qy["dropped"],
        "dropped_cols": qx["dropped"],
        "outside_rows": qy["outside"],
        "outside_cols": qx["outside"],
        "edge_error": [qy["edge_error"], qx["edge_error"]],
        "dropped": roi_h * roi_w - in_both_h * in_both_w,
        "outside": covered_h * covered_w - in_both_h * in_both_w,
    }
    return {
        "method": "roi_pool",
        "roi": [_f(v) for v in roi],
        "spatial_scale": _f(spatial_scale),
        "output_size": [oh, ow],
        "feature_size": [H, W],
        "rule": "Fast R-CNN: box corners rounded to cells (end inclusive); bin i = "
        "[floor(start + i*bin), ceil(start + (i+1)*bin)) clipped to the map; empty bin = 0",
        "roi_cells": {"y": [ys, ys + roi_h], "x": [xs, xs + roi_w]},
        "roi_size": [roi_h, roi_w],
        "bin_size": [_f(roi_h / oh), _f(roi_w / ow)],
        "rows": rows,
        "cols": cols,
        "bins": bins,
        "coverage": count.tolist(),
        "dropped": dropped,
        "shared": shared,
        "summary": {
            "cells": int(count.size),
            "dropped": len(dropped),
            "shared": len(shared),
            "bins_per_cell": hist,
            "shared_rows": [int(i) for i in np.nonzero(row_count[cy0:cy1] >= 2)[0] + cy0],
            "shared_cols": [int(j) for j in np.nonzero(col_count[cx0:cx1] >= 2)[0] + cx0],
            "dropped_rows": [int(i) for i in np.nonzero(row_count[cy0:cy1] == 0)[0] + cy0],
            "dropped_cols": [int(j) for j in np.nonzero(col_count[cx0:cx1] == 0)[0] + cx0],
        },
        "quantised_stride": quantised,
    }


def _explain_align(
    roi, oh, ow, spatial_scale, sampling_ratio, aligned, mode, H, W, feature
) -> dict[str, Any]:
    rois = np.asarray([roi], dtype=np.float64)
    geo = _align_geometry(rois, spatial_scale, aligned, sampling_ratio, oh, ow)
    py = _axis_points(geo["y1"], geo["bin_h"], geo["grid_h"], oh, H)
    px = _axis_points(geo["x1"], geo["bin_w"], geo["grid_w"], ow, W)
    gh, gw = int(geo["grid_h"][0]), int(geo["grid_w"][0])
    if gh * gw * oh * ow > 20000:
        raise ValueError(
            f"explain_roi: {gh}x{gw} sampling points in each of {oh}x{ow} bins are too many "
            "to explain; pass a smaller RoI or a sampling_ratio"
        )
    y1, x1 = float(geo["y1"][0]), float(geo["x1"][0])
    bh, bw = float(geo["bin_h"][0]), float(geo["bin_w"][0])
    values = None
    if feature is not None:
        values = roi_align(
            feature[None, None], rois, [0], (oh, ow), spatial_scale, sampling_ratio, aligned, mode
        )[0, 0]
    bins = []
    for p in range(oh):
        for q in range(ow):
            points = []
            for iy in range(gh):
                for ix in range(gw):
                    inside = bool(py["inside"][0, p, iy] and px["inside"][0, q, ix])
                    neigh = []
                    if inside:
                        for yk, wyk in (("lo", "w_lo"), ("hi", "w_hi")):
                            for xk, wxk in (("lo", "w_lo"), ("hi", "w_hi")):
                                neigh.append(
                                    {
                                        "y": int(py[yk][0, p, iy]),
                                        "x": int(px[xk][0, q, ix]),
                                        "weight": _f(py[wyk][0, p, iy] * px[wxk][0, q, ix]),
                                    }
                                )
                    point: dict[str, Any] = {
                        "y": _f(py["coord"][0, p, iy]),
                        "x": _f(px["coord"][0, q, ix]),
                        "inside": inside,
                        "neighbours": neigh,
                    }
                    if feature is not None:
                        point["value"] = _f(
                            sum(n["weight"] * feature[n["y"], n["x"]] for n in neigh)
                        )
                    points.append(point)
            item: dict[str, Any] = {
                "row": p,
                "col": q,
                "y": [_f(y1 + p * bh), _f(y1 + (p + 1) * bh)],
                "x": [_f(x1 + q * bw), _f(x1 + (q + 1) * bw)],
                "points": points,
            }
            if values is not None:
                item["value"] = _f(values[p, q])
            bins.append(item)
    return {
        "method": "roi_align",
        "mode": mode,
        "aligned": bool(aligned),
        "sampling_ratio": int(sampling_ratio),
        "roi": [_f(v) for v in roi],
        "spatial_scale": _f(spatial_scale),
        "output_size": [oh, ow],
        "feature_size": [H, W],
        "rule": "no rounding: bin edges stay fractional; each bin has grid_h x grid_w regular "
        "sampling points; a point's value is the bilinear interpolation of its four "
        "neighbouring cells; the bin's value is the "
        + ("average" if mode == "avg" else "maximum")
        + " of its points' values",
        "roi_feature": [
            _f(x1),
            _f(y1),
            _f(x1 + float(geo["roi_w"][0])),
            _f(y1 + float(geo["roi_h"][0])),
        ],
        "roi_size": [_f(geo["roi_h"][0]), _f(geo["roi_w"][0])],
        "bin_size": [_f(bh), _f(bw)],
        "grid": [gh, gw],
        "bins": bins,
    }


def explain_roi(
    roi: Any,
    output_size: int | tuple[int, int],
    method: str = "roi_align",
    *,
    spatial_scale: float = 1.0,
    feature_size: tuple[int, int] | None = None,
    feature: Any = None,
    sampling_ratio: int = 0,
    aligned: bool = True,
    mode: str = "avg",
) -> dict[str, Any]:
    """Everything the lesson shows about pooling one RoI ``(x1, y1, x2, y2)``.

    ``method="roi_pool"``: the rounded box in cells, integer bin ranges (``rows``,
    ``cols``, ``bins``), how many bins take each RoI cell (``coverage``), the RoI cells no
    bin takes (``dropped``) and those taken by two or more bins (``shared`` with the
    count), a ``summary`` of these, and ``quantised_stride``: the same RoI under the
    notes' rounded stride, with the rows/columns it drops and the cells past the RoI it
    reads. Note the RoI convention of RoI pooling: the end cell is included, so the box
    ``(0, 0, 16, 16)`` is 17 x 17 cells. See the module docstring for the two schemes.

    ``method="roi_align"``: fractional bin edges, each bin's sampling points with their
    four neighbouring cells and bilinear weights (a point more than one cell outside the
    map has no neighbours and reads 0), for ``mode="avg"`` or ``"max"``.

    ``feature`` (an (H, W) array), when given, adds the value of every bin (and for RoI
    Align of every point; for RoI pooling the winning cell ``argmax``). ``feature_size``
    (H, W) bounds the map when there is no ``feature``; by default the map just holds the
    RoI.
    """
    if method not in ("roi_pool", "roi_align"):
        raise ValueError(f"explain_roi: method must be 'roi_pool' or 'roi_align', got {method!r}")
    r = np.asarray(roi, dtype=np.float64).reshape(-1)
    if r.shape != (4,) or not np.all(np.isfinite(r)):
        raise ValueError(
            f"explain_roi: roi must be 4 finite numbers x1, y1, x2, y2, got {np.shape(roi)}"
        )
    oh, ow = _pair(output_size, "explain_roi")
    if oh * ow > 64 * 64:
        raise ValueError(f"explain_roi: output_size ({oh}, {ow}) is too large to explain")
    if mode not in ("avg", "max"):
        raise ValueError(f"explain_roi: mode must be 'avg' or 'max', got {mode!r}")
    feat = None
    if feature is not None:
        feat = np.asarray(feature, dtype=np.float64)
        if feat.ndim != 2:
            raise ValueError(f"explain_roi: feature must be (H, W), got shape {feat.shape}")
    roi_list = [float(v) for v in r]
    H, W = _feature_size(roi_list, float(spatial_scale), feat, feature_size)
    if method == "roi_pool":
        return _explain_pool(roi_list, oh, ow, float(spatial_scale), H, W, feat)
    sr = int(sampling_ratio)
    if sr < 0:
        raise ValueError(f"explain_roi: sampling_ratio must be >= 0, got {sr}")
    return _explain_align(
        roi_list, oh, ow, float(spatial_scale), sr, bool(aligned), mode, H, W, feat
    )
