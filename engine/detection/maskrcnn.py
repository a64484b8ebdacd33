"""A small Mask R-CNN in NumPy: backbone, RPN, proposals, RoI Align, box and mask heads.

    model = MaskRCNN(seed=0)                      # or MaskRCNN.load("model.npz")
    out = model.predict(image)                    # image float32 (1, 3, H, W) RGB in [0, 1]
    out["boxes"] (K, 4) x1 y1 x2 y2 px, out["labels"] (K,) int64, out["scores"] (K,),
    out["masks"] (K, 1, H, W) probabilities       # torchvision's Mask R-CNN convention

    E, grads = model.loss_and_grads(images, targets, rng)   # training forward + backward

Architecture (defaults in ``DEFAULT_CONFIG``; feature maps are channels last inside):

    image -> (x - 0.5) * 4 -> conv1 16 -> pool -> conv2 32 -> pool -> conv3 48 -> conv4 64
          = C3 (stride 4) -> pool -> conv5 64 -> conv6 64 = C5 (stride 8)
    RPN on C5: 3x3 conv 64 + ReLU, 1x1 convs to A objectness logits and 4A deltas per cell
    proposals: top-k objectness, decode, clip, NMS 0.7
    box head: RoI Align 7x7 on C5 -> FC 256 -> FC 256 -> 4 class logits + 4x4 deltas
    mask head: RoI Align 14x14 on C3 -> 2 conv 3x3 -> 2x2 ConvTranspose -> 1x1 conv -> 3 x 28x28
    detections: per-class decode + NMS 0.5 (score > 0.05), best 100 overall; each detection's
    true-class mask is pasted into the image by bilinear sampling (zero outside the box map).

All convolutions are 3x3 "same" with ReLU. The inference path uses exactly the operations
of the exported ONNX graph (see onnx_export.py), so both give the same detections.
"""

from __future__ import annotations

import json
from typing import Any, NamedTuple

import numpy as np

from engine.activations import ACTIVATIONS, sigmoid, softmax
from engine.detection.anchors import make_anchors
from engine.detection.boxes import box_iou, clip_boxes, decode, encode
from engine.detection.heads import (
    box_head_backward,
    box_head_forward,
    conv_backward,
    conv_forward,
    mask_head_backward,
    mask_head_forward,
    maxpool_backward,
    maxpool_forward,
)
from engine.detection.losses import mask_loss, smooth_l1, softmax_cross_entropy
from engine.detection.nms import nms
from engine.detection.roi import roi_align_backward, roi_align_forward
from engine.detection.rpn import (
    match_anchors,
    proposals,
    rpn_head_backward,
    rpn_head_forward,
    rpn_loss,
    sample_labels,
)
from engine.detection.shapes import CLASSES

RELU = ACTIVATIONS["relu"]


class BackboneStep(NamedTuple):
    """The cache of one backbone step: kind "conv" (name, u, conv cache), "pool" (cache) or
    "c3" (where C3 is taken)."""

    kind: str
    name: str | None = None
    u: np.ndarray | None = None
    cache: Any = None


DEFAULT_CONFIG: dict[str, Any] = {
    "classes": CLASSES,
    # backbone: ("conv", name, c_in, c_out) or ("pool",); C3 after conv4, C5 after conv6
    "backbone": [
        ["conv", "conv1", 3, 16],
        ["pool"],
        ["conv", "conv2", 16, 32],
        ["pool"],
        ["conv", "conv3", 32, 48],
        ["conv", "conv4", 48, 64],
        ["pool"],
        ["conv", "conv5", 64, 64],
        ["conv", "conv6", 64, 64],
    ],
    "c3_after": "conv4",
    "c3_stride": 4,
    "c5_stride": 8,
    "channels": 64,
    "mean": 0.5,
    "scale": 4.0,
    "anchor_sizes": [12, 20, 32, 48, 72],
    "anchor_ratios": [1.0],
    "rpn_pos_iou": 0.6,
    "rpn_neg_iou": 0.3,
    "rpn_batch": 256,
    "rpn_nms": 0.7,
    "pre_nms_train": 300,
    "post_nms_train": 64,
    "pre_nms_test": 600,
    "post_nms_test": 50,
    "roi_batch": 32,
    "roi_pos_fraction": 0.25,
    "roi_pos_iou": 0.5,
    "box_pool": 7,
    "box_hidden": 256,
    "box_weights": [10.0, 10.0, 5.0, 5.0],
    "mask_pool": 14,
    "mask_channels": 32,
    "max_mask_rois": 4,
    "sampling_ratio": 2,
    "score_thresh": 0.05,
    "det_nms": 0.5,
    "max_det": 100,
    "box_min_size": 1e-3,
}


def paste_grid(boxes: np.ndarray, length: int) -> np.ndarray:
    """Normalised sampling coordinate (K, length) of pixel centres along one axis.

    For box side [lo, hi]: g = (i + 0.5 - lo) / max(hi - lo, eps) * 2 - 1, the ONNX
    GridSample convention (align_corners=0), -1 and 1 being the mask's outer edges.
    boxes is (K, 2) = (lo, hi).
    """
    c = np.arange(length, dtype=np.float32) + np.float32(0.5)
    side = np.maximum(boxes[:, 1] - boxes[:, 0], np.float32(1e-3))
    return (c[None, :] - boxes[:, :1]) / side[:, None] * np.float32(2.0) - np.float32(1.0)


def _sample_matrix(g: np.ndarray, m: int) -> np.ndarray:
    """(K, L, m) bilinear weights of GridSample (align_corners=0, zero padding) on one axis."""
    u = ((g + np.float32(1.0)) * np.float32(m) - np.float32(1.0)) / np.float32(2.0)
    lo = np.floor(u)
    w_hi = u - lo
    w_lo = np.float32(1.0) - w_hi
    lo = lo.astype(np.int64)
    idx = np.arange(m)[None, None, :]
    return (idx == lo[..., None]) * w_lo[..., None] + (idx == lo[..., None] + 1) * w_hi[..., None]


def paste_masks(masks: np.ndarray, boxes: np.ndarray, height: int, width: int) -> np.ndarray:
    """Masks (K, m, m) in box coordinates -> (K, 1, height, width) image masks.

    Bilinear sampling at each pixel centre, zero outside the m x m map: exactly ONNX
    GridSample(mode bilinear, padding zeros, align_corners 0).
    """
    K, m = masks.shape[0], masks.shape[1]
    Py = _sample_matrix(paste_grid(boxes[:, [1, 3]], height), m).astype(np.float32)
    Px = _sample_matrix(paste_grid(boxes[:, [0, 2]], width), m).astype(np.float32)
    out = np.matmul(np.matmul(Py, masks.astype(np.float32)), Px.transpose(0, 2, 1))
    return out.reshape(K, 1, height, width)


class MaskRCNN:
    """Parameters (``params``: name -> float32 array) plus the config they were built for."""

    def __init__(self, config: dict | None = None, seed: int | None = 0):
        self.config = json.loads(json.dumps(config or DEFAULT_CONFIG))
        self.params = self._init_params(np.random.default_rng(seed))
        self.dtype = np.float32  # float64 for gradient checks: set it and cast params

    def astype(self, dtype) -> MaskRCNN:
        """Same model computing in ``dtype`` (float64 for exact gradient checks)."""
        other = MaskRCNN(self.config, seed=None)
        other.params = {k: v.astype(dtype) for k, v in self.params.items()}
        other.dtype = dtype
        return other

    # ------------------------------------------------------------------ parameters
    def _init_params(self, rng: np.random.Generator) -> dict[str, np.ndarray]:
        cfg = self.config
        p: dict[str, np.ndarray] = {}

        def conv(name, c_in, c_out, k, std=None):
            std = np.sqrt(2.0 / (c_in * k * k)) if std is None else std
            p[name + ".W"] = (rng.standard_normal((c_out, c_in, k, k)) * std).astype(np.float32)
            p[name + ".b"] = np.zeros(c_out, dtype=np.float32)

        def dense(name, n_in, n_out, std=None):
            std = np.sqrt(2.0 / n_in) if std is None else std
            p[name + ".W"] = (rng.standard_normal((n_out, n_in)) * std).astype(np.float32)
            p[name + ".b"] = np.zeros(n_out, dtype=np.float32)

        for step in cfg["backbone"]:
            if step[0] == "conv":
                conv(step[1], step[2], step[3], 3)
        C = cfg["channels"]
        A = len(cfg["anchor_sizes"]) * len(cfg["anchor_ratios"])
        K = len(cfg["classes"])
        conv("rpn_conv", C, C, 3)
        conv("rpn_cls", C, A, 1, std=0.01)
        conv("rpn_reg", C, 4 * A, 1, std=0.01)
        P, Hd = cfg["box_pool"], cfg["box_hidden"]
        dense("box_fc1", C * P * P, Hd)
        dense("box_fc2", Hd, Hd)
        dense("box_cls", Hd, K, std=0.01)
        dense("box_reg", Hd, 4 * K, std=0.001)
        Mc = cfg["mask_channels"]
        conv("mask_conv1", C, Mc, 3)
        conv("mask_conv2", Mc, Mc, 3)
        p["mask_up.W"] = (rng.standard_normal((Mc, Mc, 2, 2)) * np.sqrt(2.0 / Mc)).astype(
            np.float32
        )
        p["mask_up.b"] = np.zeros(Mc, dtype=np.float32)
        conv("mask_out", Mc, K - 1, 1, std=0.01)
        return p

    @property
    def n_anchors(self) -> int:
        return len(self.config["anchor_sizes"]) * len(self.config["anchor_ratios"])

    def save(self, path) -> None:
        arrays = {k: v for k, v in self.params.items()}
        arrays["__config__"] = np.array(json.dumps(self.config))
        np.savez_compressed(path, **arrays)

    @classmethod
    def load(cls, path) -> MaskRCNN:
        with np.load(path, allow_pickle=False) as z:
            config = json.loads(str(z["__config__"]))
            model = cls(config, seed=0)
            for k in model.params:
                if k not in z.files:
                    raise ValueError(f"MaskRCNN.load: {path} lacks parameter {k}")
                if z[k].shape != model.params[k].shape:
                    raise ValueError(
                        f"MaskRCNN.load: {path}: {k} has shape {z[k].shape}, "
                        f"expected {model.params[k].shape}"
                    )
                model.params[k] = z[k].astype(np.float32)
        return model

    # ------------------------------------------------------------------ backbone
    def _prepare(self, images: np.ndarray) -> np.ndarray:
        images = np.asarray(images, dtype=self.dtype)
        if images.ndim == 3:
            images = images[None]
        if images.ndim != 4 or images.shape[1] != 3:
            raise ValueError(f"MaskRCNN: image must be (N, 3, H, W) RGB, got shape {images.shape}")
        if images.shape[2] < 16 or images.shape[3] < 16:
            raise ValueError(f"MaskRCNN: image at least 16x16, got shape {images.shape}")
        cfg = self.config
        x = (images - self.dtype(cfg["mean"])) * self.dtype(cfg["scale"])
        return np.ascontiguousarray(x.transpose(0, 2, 3, 1))

    def backbone_forward(self, x: np.ndarray):
        """x (N, H, W, 3) -> C3 (N, H/4, W/4, C), C5 (N, H/8, W/8, C), caches (one
        BackboneStep per step of the config)."""
        p, cfg = self.params, self.config
        caches = []
        c3 = None
        for step in cfg["backbone"]:
            if step[0] == "conv":
                u, c = conv_forward(x, p[step[1] + ".W"], p[step[1] + ".b"], pad=1)
                x = RELU.forward(u)
                caches.append(BackboneStep("conv", step[1], u, c))
                if step[1] == cfg["c3_after"]:
                    c3 = x
                    caches.append(BackboneStep("c3"))
            else:
                x, c = maxpool_forward(x)
                caches.append(BackboneStep("pool", cache=c))
        return c3, x, caches

    def backbone_backward(self, d_c3: np.ndarray, d_c5: np.ndarray, caches, grads: dict) -> None:
        d = d_c5
        for n, entry in enumerate(reversed(caches)):
            if entry.kind == "c3":
                d = d + d_c3
            elif entry.kind == "pool":
                d = maxpool_backward(d, entry.cache)
            else:
                first = n == len(caches) - 1  # no gradient needed for the image itself
                delta = RELU.backward(d, entry.u, None)
                d, grads[entry.name + ".W"], grads[entry.name + ".b"] = conv_backward(
                    delta, entry.cache, need_dx=not first
                )

    def _anchors(self, fh: int, fw: int) -> np.ndarray:
        cfg = self.config
        return make_anchors(fh, fw, cfg["c5_stride"], cfg["anchor_sizes"], cfg["anchor_ratios"])

    def _roi_align(self, feat_nhwc: np.ndarray, rois, bi, size, stride):
        feat = feat_nhwc.transpose(0, 3, 1, 2)
        return roi_align_forward(
            feat,
            rois.astype(np.float32),
            bi,
            (size, size),
            spatial_scale=1.0 / stride,
            sampling_ratio=self.config["sampling_ratio"],
            aligned=True,
        )

    # ------------------------------------------------------------------ inference
    def predict(self, image: np.ndarray) -> dict[str, np.ndarray]:
        """Detections of one image (1, 3, H, W) or (3, H, W), float32 RGB in [0, 1]."""
        cfg, p = self.config, self.params
        x = self._prepare(image)
        if x.shape[0] != 1:
            raise ValueError(f"MaskRCNN.predict: one image at a time, got batch {x.shape[0]}")
        H, W = x.shape[1], x.shape[2]
        c3, c5, _ = self.backbone_forward(x)
        obj, rdel, _ = rpn_head_forward(p, c5)
        anchors = self._anchors(c5.shape[1], c5.shape[2])
        props = proposals(
            obj[0],
            rdel[0],
            anchors,
            H,
            W,
            cfg["pre_nms_test"],
            cfg["post_nms_test"],
            cfg["rpn_nms"],
        )
        R = props.shape[0]
        feats, _ = self._roi_align(c5, props, np.zeros(R, np.int64), cfg["box_pool"], 8)
        logits, deltas, _ = box_head_forward(p, feats)
        probs = softmax(logits)
        K = len(cfg["classes"])
        all_boxes, all_scores, all_labels = [], [], []
        for c in range(1, K):
            boxes = clip_boxes(
                decode(deltas[:, 4 * c : 4 * c + 4], props, cfg["box_weights"]), H, W
            )
            keep = nms(boxes, probs[:, c], cfg["det_nms"], cfg["score_thresh"], cfg["max_det"])
            all_boxes.append(boxes[keep])
            all_scores.append(probs[keep, c])
            all_labels.append(np.full(keep.size, c, dtype=np.int64))
        boxes = np.concatenate(all_boxes).astype(np.float32)
        scores = np.concatenate(all_scores).astype(np.float32)
        labels = np.concatenate(all_labels)
        order = np.argsort(-scores, kind="stable")[: cfg["max_det"]]
        boxes, scores, labels = boxes[order], scores[order], labels[order]
        masks = self.predict_masks(c3, boxes, labels, H, W)
        return {"boxes": boxes, "labels": labels, "scores": scores, "masks": masks}

    def predict_masks(self, c3, boxes, labels, H, W) -> np.ndarray:
        cfg = self.config
        n = boxes.shape[0]
        if n == 0:
            return np.zeros((0, 1, H, W), dtype=np.float32)
        mf, _ = self._roi_align(c3, boxes, np.zeros(n, np.int64), cfg["mask_pool"], 4)
        logits, _ = mask_head_forward(self.params, np.ascontiguousarray(mf.transpose(0, 2, 3, 1)))
        z = logits[np.arange(n), :, :, labels - 1]
        return paste_masks(sigmoid(z), boxes, H, W)

    # ------------------------------------------------------------------ training
    def loss_and_grads(self, images: np.ndarray, targets: list, rng: np.random.Generator):
        """Training forward and backward on a batch.

        images (N, 3, H, W) float32 in [0, 1]; targets[i] a list of shapes.Instance.
        Returns ({"rpn_obj", "rpn_box", "cls", "box", "mask", "total"}, grads) where grads
        has the same keys and shapes as ``params``.
        """
        cfg, p = self.config, self.params
        x = self._prepare(images)
        N, H, W = x.shape[:3]
        grads: dict[str, np.ndarray] = {}
        c3, c5, bcache = self.backbone_forward(x)
        obj, rdel, rcache = rpn_head_forward(p, c5)
        anchors = self._anchors(c5.shape[1], c5.shape[2])
        gt_boxes = [
            np.array([t.box for t in tg], dtype=np.float32).reshape(-1, 4) for tg in targets
        ]
        gt_labels = [np.array([t.label for t in tg], dtype=np.int64) for tg in targets]
        E_obj, E_rbox, d_obj, d_rdel = rpn_loss(obj, rdel, anchors, gt_boxes, cfg, rng)

        # sample RoIs: proposals + ground truth, 25 % positive
        rois, bis, cls_t, reg_t, pos_info = [], [], [], [], []
        for i in range(N):
            props = proposals(
                obj[i],
                rdel[i],
                anchors,
                H,
                W,
                cfg["pre_nms_train"],
                cfg["post_nms_train"],
                cfg["rpn_nms"],
            )
            cand = np.concatenate([props, gt_boxes[i]])
            if gt_boxes[i].shape[0]:
                iou = box_iou(cand, gt_boxes[i])
                best = iou.argmax(axis=1)
                best_iou = iou[np.arange(cand.shape[0]), best]
            else:
                best = np.zeros(cand.shape[0], np.int64)
                best_iou = np.zeros(cand.shape[0], np.float32)
            lab = np.where(best_iou >= cfg["roi_pos_iou"], 1, 0)
            lab = sample_labels(lab, cfg["roi_batch"], cfg["roi_pos_fraction"], rng)
            sel = np.flatnonzero(lab >= 0)
            sel_pos = sel[lab[sel] == 1]
            sel = np.concatenate([sel_pos, sel[lab[sel] == 0]])
            n_pos = sel_pos.size
            boxes = cand[sel]
            cls = np.zeros(sel.size, np.int64)
            cls[:n_pos] = gt_labels[i][best[sel_pos]] if n_pos else cls[:0]
            reg = np.zeros((sel.size, 4), np.float32)
            if n_pos:
                reg[:n_pos] = encode(boxes[:n_pos], gt_boxes[i][best[sel_pos]], cfg["box_weights"])
            offset = sum(r.shape[0] for r in rois)
            rois.append(boxes)
            bis.append(np.full(sel.size, i, np.int64))
            cls_t.append(cls)
            reg_t.append(reg)
            n_mask = min(n_pos, cfg["max_mask_rois"])
            pos_info.append((i, offset, n_mask, best[sel_pos[:n_mask]]))
        rois_a = np.concatenate(rois).astype(np.float32)
        bis_a = np.concatenate(bis)
        cls_a = np.concatenate(cls_t)
        reg_a = np.concatenate(reg_t)
        R = rois_a.shape[0]

        # box head
        feats, ra_cache = self._roi_align(c5, rois_a, bis_a, cfg["box_pool"], cfg["c5_stride"])
        logits, deltas, hcache = box_head_forward(p, feats)
        E_cls, d_logits = softmax_cross_entropy(logits, cls_a)
        pos = np.flatnonzero(cls_a > 0)
        cols = 4 * cls_a[pos][:, None] + np.arange(4)[None, :]
        E_box, g = smooth_l1(deltas[pos[:, None], cols], reg_a[pos], 1.0 / 9.0, max(R, 1))
        d_deltas = np.zeros_like(deltas)
        d_deltas[pos[:, None], cols] = g
        d_feats = box_head_backward(d_logits, d_deltas, hcache, grads)
        d_c5 = roi_align_backward(d_feats, ra_cache).transpose(0, 2, 3, 1)

        # mask head on (some of) the positive RoIs
        m_rois, m_bis, m_lab, m_tgt = [], [], [], []
        ms = 2 * cfg["mask_pool"]
        for i, offset, n_mask, gt_idx in pos_info:
            if n_mask == 0:
                continue
            b = rois_a[offset : offset + n_mask]
            gm = np.stack([t.mask for t in targets[i]]).astype(self.dtype)[None]
            t, _ = roi_align_forward(
                gm, b, np.zeros(n_mask, np.int64), (ms, ms), 1.0, cfg["sampling_ratio"], True
            )
            m_rois.append(b)
            m_bis.append(np.full(n_mask, i, np.int64))
            m_lab.append(cls_a[offset : offset + n_mask])
            m_tgt.append(t[np.arange(n_mask), gt_idx])
        d_c3 = np.zeros_like(c3)
        E_mask = 0.0
        if m_rois:
            mr = np.concatenate(m_rois)
            mf, mcache = self._roi_align(c3, mr, np.concatenate(m_bis), cfg["mask_pool"], 4)
            mf_nhwc = np.ascontiguousarray(mf.transpose(0, 2, 3, 1))
            mlog, mhcache = mask_head_forward(p, mf_nhwc)
            E_mask, d_mlog = mask_loss(mlog, np.concatenate(m_lab), np.concatenate(m_tgt))
            d_mf = mask_head_backward(d_mlog, mhcache, grads)
            d_c3 = roi_align_backward(np.ascontiguousarray(d_mf.transpose(0, 3, 1, 2)), mcache)
            d_c3 = d_c3.transpose(0, 2, 3, 1)
        else:
            for k in ("mask_conv1", "mask_conv2", "mask_up", "mask_out"):
                grads[k + ".W"] = np.zeros_like(p[k + ".W"])
                grads[k + ".b"] = np.zeros_like(p[k + ".b"])

        d_c5 = d_c5 + rpn_head_backward(d_obj, d_rdel, rcache, grads)
        self.backbone_backward(d_c3, d_c5, bcache, grads)
        grads = {k: grads[k].astype(self.dtype) for k in p}
        E = {
            "rpn_obj": E_obj,
            "rpn_box": E_rbox,
            "cls": E_cls,
            "box": E_box,
            "mask": E_mask,
        }
        E["total"] = float(sum(E.values()))
        return E, grads


__all__ = ["MaskRCNN", "DEFAULT_CONFIG", "paste_masks", "match_anchors", "softmax"]
