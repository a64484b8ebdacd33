"""The shipped Mask R-CNN's inference, stage by stage, for teaching (the lesson's inspect panel).

    stages = inspect_image(model, image)     # image float32 (3, H, W) RGB in [0, 1]

Returns every intermediate of ``MaskRCNN.predict`` that a student looks at: the anchors, the
RPN's objectness and box deltas, the top proposals before and after NMS, the RoI Align crops,
the box head's class scores and refined boxes, the 28x28 masks and their paste-back. It calls
only the detection modules' public functions, in predict's order, and ends with predict's own
detections (the tests check that the two agree).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from engine.detection.anchors import make_anchors
from engine.detection.boxes import clip_boxes, decode
from engine.detection.heads import box_head_forward, mask_head_forward
from engine.detection.losses import sigmoid
from engine.detection.maskrcnn import MaskRCNN, paste_masks, softmax
from engine.detection.nms import nms
from engine.detection.roi import roi_align_forward
from engine.detection.rpn import rpn_head_forward


def _align(model: MaskRCNN, feat_nhwc: np.ndarray, boxes: np.ndarray, size: int, stride: int):
    out, _ = roi_align_forward(
        feat_nhwc.transpose(0, 3, 1, 2),
        boxes.astype(np.float32),
        np.zeros(len(boxes), np.int64),
        (size, size),
        spatial_scale=1.0 / stride,
        sampling_ratio=model.config["sampling_ratio"],
        aligned=True,
    )
    return out


def inspect_image(model: MaskRCNN, image: np.ndarray, top: int = 10) -> dict[str, Any]:
    cfg, p = model.config, model.params
    img = np.asarray(image, dtype=np.float32)
    if img.ndim != 3 or img.shape[0] != 3:
        raise ValueError(f"inspect_image: image must be (3, H, W) RGB, got shape {img.shape}")
    H, W = img.shape[1:]
    x = ((img[None] - np.float32(cfg["mean"])) * np.float32(cfg["scale"])).transpose(0, 2, 3, 1)
    c3, c5, _ = model.backbone_forward(np.ascontiguousarray(x))

    obj, rdel, _ = rpn_head_forward(p, c5)
    fh, fw = c5.shape[1:3]
    anchors = make_anchors(fh, fw, cfg["c5_stride"], cfg["anchor_sizes"], cfg["anchor_ratios"])
    scores = obj[0].reshape(-1)
    deltas = rdel[0].reshape(-1, 4)
    k = min(cfg["pre_nms_test"], scores.size)
    order = np.argsort(-scores, kind="stable")[:k]
    before = clip_boxes(decode(deltas[order], anchors[order]), H, W)
    keep = nms(before, scores[order], cfg["rpn_nms"], max_output=cfg["post_nms_test"])
    props = before[keep]
    crops = _align(model, c5, props, cfg["box_pool"], cfg["c5_stride"])
    logits, box_deltas, _ = box_head_forward(p, crops)
    probs = softmax(logits)
    detections = model.predict(img[None])
    boxes, labels = detections["boxes"], detections["labels"]
    masks28 = np.zeros((0, 28, 28), np.float32)
    if len(boxes):
        mf = _align(model, c3, boxes, cfg["mask_pool"], cfg["c3_stride"])
        mlog, _ = mask_head_forward(p, np.ascontiguousarray(mf.transpose(0, 2, 3, 1)))
        masks28 = sigmoid(mlog[np.arange(len(boxes)), :, :, labels - 1])
    best = int(np.argmax(probs[:, 1:].max(axis=1))) if len(props) else 0
    refined = []
    for c in range(1, len(cfg["classes"])):
        d = box_deltas[best : best + 1, 4 * c : 4 * c + 4]
        refined.append(clip_boxes(decode(d, props[best : best + 1], cfg["box_weights"]), H, W)[0])
    return {
        "feature_shape": [int(c5.shape[3]), int(fh), int(fw)],
        "stride": cfg["c5_stride"],
        "anchor_sizes": list(cfg["anchor_sizes"]),
        "anchors": anchors,
        "objectness": sigmoid(scores).reshape(fh, fw, -1),
        "anchor_deltas": deltas,
        "top_anchors": order[:top],
        "proposals_before_nms": before[:top],
        "n_before_nms": int(len(before)),
        "proposals_after_nms": props,
        "n_after_nms": int(len(props)),
        "roi_crops": crops,
        "class_probs": probs,
        "best_proposal": best,
        "refined_boxes": np.array(refined),
        "detections": detections,
        "masks28": masks28,
        "pasted": paste_masks(masks28, boxes, H, W) if len(boxes) else np.zeros((0, 1, H, W)),
    }
