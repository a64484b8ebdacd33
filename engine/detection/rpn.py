"""Region proposal network: a 3x3 conv on the feature map, then per anchor an objectness
logit and four box deltas; training targets from anchor/ground-truth IoU; proposals
decoded, clipped and thinned by NMS.

Outputs are channels last: objectness (N, H, W, A), deltas (N, H, W, 4A) with channel
``4 a + k`` for anchor a and coordinate k, so flattening (H, W, A) matches the anchors.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from engine.activations import ACTIVATIONS, relu
from engine.detection.boxes import box_iou, clip_boxes, decode, encode
from engine.detection.heads import ConvNHWCCache, conv_backward, conv_forward
from engine.detection.losses import sigmoid_bce, smooth_l1
from engine.detection.nms import nms

RELU = ACTIVATIONS["relu"]


class RPNHeadCache(NamedTuple):
    u: np.ndarray  # the 3x3 conv's pre-activation
    conv: ConvNHWCCache
    cls: ConvNHWCCache
    reg: ConvNHWCCache


def rpn_head_forward(p: dict, feat: np.ndarray):
    """feat (N, H, W, C) -> objectness logits (N, H, W, A), deltas (N, H, W, 4A), cache."""
    u, c0 = conv_forward(feat, p["rpn_conv.W"], p["rpn_conv.b"], pad=1)
    a = relu(u)
    obj, c1 = conv_forward(a, p["rpn_cls.W"], p["rpn_cls.b"])
    deltas, c2 = conv_forward(a, p["rpn_reg.W"], p["rpn_reg.b"])
    return obj, deltas, RPNHeadCache(u, c0, c1, c2)


def rpn_head_backward(d_obj: np.ndarray, d_deltas: np.ndarray, cache: RPNHeadCache, grads: dict):
    """Adds the head's gradients to ``grads``; returns dE/dfeat (N, H, W, C)."""
    da1, grads["rpn_cls.W"], grads["rpn_cls.b"] = conv_backward(d_obj, cache.cls)
    da2, grads["rpn_reg.W"], grads["rpn_reg.b"] = conv_backward(d_deltas, cache.reg)
    delta = RELU.backward(da1 + da2, cache.u, None)  # both outputs read a
    dx, grads["rpn_conv.W"], grads["rpn_conv.b"] = conv_backward(delta, cache.conv)
    return dx


def match_anchors(anchors: np.ndarray, gt: np.ndarray, pos_iou: float, neg_iou: float):
    """Per anchor: label 1 (object), 0 (background), -1 (ignored), and its best gt index.

    Every ground-truth box also claims the anchors that overlap it best, so a small object
    always has a positive anchor.
    """
    n = anchors.shape[0]
    labels = np.full(n, -1, dtype=np.int64)
    if gt.shape[0] == 0:
        labels[:] = 0
        return labels, np.zeros(n, dtype=np.int64)
    iou = box_iou(anchors, gt)  # (n, G)
    best = iou.argmax(axis=1)
    best_iou = iou[np.arange(n), best]
    labels[best_iou < neg_iou] = 0
    labels[best_iou >= pos_iou] = 1
    gt_best = iou.max(axis=0)
    for g in range(gt.shape[0]):
        if gt_best[g] > 0:
            hit = np.flatnonzero(iou[:, g] == gt_best[g])
            labels[hit] = 1
            best[hit] = g
    return labels, best


def sample_labels(labels: np.ndarray, n: int, pos_fraction: float, rng) -> np.ndarray:
    """Keep at most n labelled entries, at most pos_fraction of them positive; rest -> -1."""
    out = np.full_like(labels, -1)
    pos = np.flatnonzero(labels >= 1)
    neg = np.flatnonzero(labels == 0)
    n_pos = min(pos.size, int(n * pos_fraction))
    n_neg = min(neg.size, n - n_pos)
    pos = rng.permutation(pos)[:n_pos]
    neg = rng.permutation(neg)[:n_neg]
    out[pos] = labels[pos]
    out[neg] = 0
    return out


def rpn_loss(
    obj: np.ndarray, deltas: np.ndarray, anchors: np.ndarray, gt_boxes: list, cfg: dict, rng
):
    """Objectness BCE + smooth-L1 deltas over sampled anchors of every image.

    obj (N, H, W, A), deltas (N, H, W, 4A). Returns (E_obj, E_box, d_obj, d_deltas).
    """
    N = obj.shape[0]
    obj_f = obj.reshape(N, -1)
    del_f = deltas.reshape(N, -1, 4)
    d_obj = np.zeros_like(obj_f)
    d_del = np.zeros_like(del_f)
    sel_logits, sel_targets, reg_pred, reg_tgt = [], [], [], []
    sel_idx, reg_idx = [], []
    for i in range(N):
        labels, best = match_anchors(anchors, gt_boxes[i], cfg["rpn_pos_iou"], cfg["rpn_neg_iou"])
        labels = sample_labels(labels, cfg["rpn_batch"], 0.5, rng)
        s = np.flatnonzero(labels >= 0)
        sel_idx.append((i, s))
        sel_logits.append(obj_f[i, s])
        sel_targets.append((labels[s] == 1).astype(obj.dtype))
        p = np.flatnonzero(labels == 1)
        reg_idx.append((i, p))
        reg_pred.append(del_f[i, p])
        reg_tgt.append(encode(anchors[p], gt_boxes[i][best[p]]) if p.size else np.zeros((0, 4)))
    n_sel = sum(s.size for _, s in sel_idx)
    E_obj, g_obj = sigmoid_bce(np.concatenate(sel_logits), np.concatenate(sel_targets), n_sel)
    E_box, g_box = smooth_l1(
        np.concatenate(reg_pred), np.concatenate(reg_tgt).astype(obj.dtype), 1.0 / 9.0, n_sel
    )
    o = r = 0
    for (i, s), (_, p) in zip(sel_idx, reg_idx):
        d_obj[i, s] = g_obj[o : o + s.size]
        d_del[i, p] = g_box[r : r + p.size]
        o += s.size
        r += p.size
    return E_obj, E_box, d_obj.reshape(obj.shape), d_del.reshape(deltas.shape)


def proposals(
    obj: np.ndarray,
    deltas: np.ndarray,
    anchors: np.ndarray,
    height: int,
    width: int,
    pre_nms: int,
    post_nms: int,
    iou: float,
) -> np.ndarray:
    """Proposal boxes (P, 4) of ONE image: top ``pre_nms`` anchors by objectness, decoded,
    clipped to the image, NMS, at most ``post_nms`` kept (by decreasing objectness)."""
    scores = obj.reshape(-1)
    d = deltas.reshape(-1, 4)
    k = min(pre_nms, scores.size)
    top = np.argsort(-scores, kind="stable")[:k]
    boxes = clip_boxes(decode(d[top], anchors[top]), height, width)
    keep = nms(boxes, scores[top], iou, max_output=post_nms)
    return boxes[keep]
