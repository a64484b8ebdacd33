"""Anchors: square-ish reference boxes tiled over the feature map.

At feature cell (y, x) of stride s the anchors are centred on the cell centre
((x + 0.5) s, (y + 0.5) s); one anchor per (size, ratio) pair with area size^2
and height / width = ratio. Rows are ordered (y, x, anchor), matching the RPN
head's outputs flattened from (H, W, A).
"""

from __future__ import annotations

import numpy as np


def base_anchors(sizes, ratios=(1.0,)) -> np.ndarray:
    """(A, 4) anchors centred on 0: for each ratio, each size."""
    out = []
    for r in ratios:
        for s in sizes:
            w = s / np.sqrt(r)
            h = s * np.sqrt(r)
            out.append([-w / 2, -h / 2, w / 2, h / 2])
    return np.array(out, dtype=np.float32)


def make_anchors(feat_h: int, feat_w: int, stride: int, sizes, ratios=(1.0,)) -> np.ndarray:
    """(feat_h * feat_w * A, 4) anchors in image pixels, ordered (y, x, anchor)."""
    base = base_anchors(sizes, ratios)
    cx = (np.arange(feat_w, dtype=np.float32) + np.float32(0.5)) * np.float32(stride)
    cy = (np.arange(feat_h, dtype=np.float32) + np.float32(0.5)) * np.float32(stride)
    shift = np.zeros((feat_h, feat_w, 1, 4), dtype=np.float32)
    shift[..., 0] = cx[None, :, None]
    shift[..., 2] = cx[None, :, None]
    shift[..., 1] = cy[:, None, None]
    shift[..., 3] = cy[:, None, None]
    return (shift + base[None, None]).reshape(-1, 4)
