"""Greedy non-maximum suppression, with ONNX NonMaxSuppression's exact rules.

Boxes are visited by score, highest first (ties: lower index first). A box is
dropped when its IoU with an already kept box is strictly greater than
``iou_threshold``; boxes with score not above ``score_threshold`` are never kept.
Zero-area boxes never suppress anything. This is what onnxruntime computes, so the
engine and the exported graph keep the same boxes.
"""

from __future__ import annotations

import numpy as np


def nms(
    boxes: np.ndarray,
    scores: np.ndarray,
    iou_threshold: float,
    score_threshold: float | None = None,
    max_output: int | None = None,
) -> np.ndarray:
    """Indices of kept boxes, by decreasing score."""
    boxes = np.asarray(boxes, dtype=np.float32)
    scores = np.asarray(scores, dtype=np.float32)
    if boxes.ndim != 2 or boxes.shape[1] != 4 or scores.shape != (boxes.shape[0],):
        raise ValueError(f"nms: boxes (n, 4) and scores (n,), got {boxes.shape} and {scores.shape}")
    order = np.argsort(-scores, kind="stable")
    if score_threshold is not None:
        order = order[scores[order] > np.float32(score_threshold)]
    x1 = np.minimum(boxes[:, 0], boxes[:, 2])
    x2 = np.maximum(boxes[:, 0], boxes[:, 2])
    y1 = np.minimum(boxes[:, 1], boxes[:, 3])
    y2 = np.maximum(boxes[:, 1], boxes[:, 3])
    area = (x2 - x1) * (y2 - y1)
    thr = np.float32(iou_threshold)
    keep = []
    limit = len(order) if max_output is None else max_output
    while order.size and len(keep) < limit:
        i = order[0]
        keep.append(i)
        rest = order[1:]
        iw = np.minimum(x2[i], x2[rest]) - np.maximum(x1[i], x1[rest])
        ih = np.minimum(y2[i], y2[rest]) - np.maximum(y1[i], y1[rest])
        inter = iw * ih
        union = area[i] + area[rest] - inter
        valid = (iw > 0) & (ih > 0) & (area[i] > 0) & (area[rest] > 0) & (union > 0)
        with np.errstate(divide="ignore", invalid="ignore"):
            iou = inter / np.where(union > 0, union, 1)
        suppress = valid & (iou > thr)
        order = rest[~suppress]
    return np.array(keep, dtype=np.int64)
