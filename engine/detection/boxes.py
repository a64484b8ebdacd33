"""Boxes as x1, y1, x2, y2 rows (pixels, float32): areas, IoU, delta coding, clipping.

The delta coding is Faster R-CNN's: for a reference box (centre cx, cy, size w, h) and
a target box (gx, gy, gw, gh)

    dx = wx (gx - cx) / w    dy = wy (gy - cy) / h    dw = ww log(gw / w)    dh = wh log(gh / h)

``decode`` inverts it (clamping dw, dh so exp cannot overflow).
"""

from __future__ import annotations

import math

import numpy as np

BBOX_CLIP = math.log(1000.0 / 16.0)


def box_area(boxes: np.ndarray) -> np.ndarray:
    return (boxes[:, 2] - boxes[:, 0]) * (boxes[:, 3] - boxes[:, 1])


def box_iou(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Pairwise IoU, shape (len(a), len(b)); 0 where a union is empty."""
    if a.ndim != 2 or b.ndim != 2 or a.shape[1] != 4 or b.shape[1] != 4:
        raise ValueError(f"box_iou: boxes must be (n, 4), got {a.shape} and {b.shape}")
    lt = np.maximum(a[:, None, :2], b[None, :, :2])
    rb = np.minimum(a[:, None, 2:], b[None, :, 2:])
    wh = np.clip(rb - lt, 0, None)
    inter = wh[..., 0] * wh[..., 1]
    union = box_area(a)[:, None] + box_area(b)[None, :] - inter
    with np.errstate(divide="ignore", invalid="ignore"):
        iou = np.where(union > 0, inter / np.where(union > 0, union, 1), 0)
    return iou.astype(np.float32)


def encode(ref: np.ndarray, target: np.ndarray, weights=(1.0, 1.0, 1.0, 1.0)) -> np.ndarray:
    """Deltas (n, 4) that move ``ref`` boxes onto ``target`` boxes."""
    wx, wy, ww, wh = weights
    w = ref[:, 2] - ref[:, 0]
    h = ref[:, 3] - ref[:, 1]
    cx = ref[:, 0] + 0.5 * w
    cy = ref[:, 1] + 0.5 * h
    gw = target[:, 2] - target[:, 0]
    gh = target[:, 3] - target[:, 1]
    gx = target[:, 0] + 0.5 * gw
    gy = target[:, 1] + 0.5 * gh
    d = np.stack(
        [wx * (gx - cx) / w, wy * (gy - cy) / h, ww * np.log(gw / w), wh * np.log(gh / h)], axis=1
    )
    return d.astype(np.float32)


def decode(deltas: np.ndarray, ref: np.ndarray, weights=(1.0, 1.0, 1.0, 1.0)) -> np.ndarray:
    """Boxes (n, 4) from ``deltas`` (n, 4) applied to ``ref`` boxes (n, 4)."""
    wx, wy, ww, wh = (np.float32(v) for v in weights)
    ref = ref.astype(np.float32)
    deltas = deltas.astype(np.float32)
    w = ref[:, 2] - ref[:, 0]
    h = ref[:, 3] - ref[:, 1]
    cx = ref[:, 0] + np.float32(0.5) * w
    cy = ref[:, 1] + np.float32(0.5) * h
    dx = deltas[:, 0] / wx
    dy = deltas[:, 1] / wy
    dw = np.minimum(deltas[:, 2] / ww, np.float32(BBOX_CLIP))
    dh = np.minimum(deltas[:, 3] / wh, np.float32(BBOX_CLIP))
    pcx = dx * w + cx
    pcy = dy * h + cy
    pw = np.exp(dw) * w
    ph = np.exp(dh) * h
    half_w = np.float32(0.5) * pw
    half_h = np.float32(0.5) * ph
    return np.stack([pcx - half_w, pcy - half_h, pcx + half_w, pcy + half_h], axis=1)


def clip_boxes(boxes: np.ndarray, height: int, width: int) -> np.ndarray:
    """Boxes clipped to the image [0, width] x [0, height]."""
    out = boxes.copy()
    out[:, 0::2] = np.clip(out[:, 0::2], 0, width)
    out[:, 1::2] = np.clip(out[:, 1::2], 0, height)
    return out
